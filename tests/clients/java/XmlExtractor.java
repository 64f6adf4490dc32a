// A Java XML extractor as SPEC.md §1/§3 describes them: fetch export-xml over Basic with
// java.net.http.HttpClient, parse it with a VALIDATING DocumentBuilder that resolves
// SYSTEM "appdata.dtd" relative to the document URL, read cntset/cntgroup/cnt.
// Usage: java XmlExtractor URL USER PASSWORD MODE
//   header: HttpClient with a pre-emptive Basic header; authenticator: HttpClient with an
//   Authenticator (Basic only, after a challenge); urlconnection: Authenticator.setDefault and
//   DocumentBuilder.parse(URL), so HttpURLConnection answers the challenge (it does Digest).
// Prints one JSON object: {"status":..,"sets":[{"date","starttime","local","delta","bins":[[endtime,in,out],..]}]}

import java.io.ByteArrayInputStream;
import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXParseException;

public class XmlExtractor {
    public static void main(String[] args) throws Exception {
        String url = args[0], user = args[1], password = args[2], mode = args[3];
        if (mode.equals("urlconnection")) {
            Authenticator.setDefault(new Authenticator() {
                @Override
                protected PasswordAuthentication getPasswordAuthentication() {
                    return new PasswordAuthentication(user, password.toCharArray());
                }
            });
            System.out.println(describe(parser().parse(url), "{\"status\":200"));
            return;
        }
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (mode.equals("authenticator")) {
            builder.authenticator(new Authenticator() {
                @Override
                protected PasswordAuthentication getPasswordAuthentication() {
                    return new PasswordAuthentication(user, password.toCharArray());
                }
            });
        } else {
            String token = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            request.header("Authorization", "Basic " + token);
        }
        HttpResponse<byte[]> response = builder.build().send(request.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        StringBuilder out = new StringBuilder();
        out.append("{\"status\":").append(response.statusCode());
        if (response.statusCode() != 200) {
            System.out.println(out.append("}"));
            return;
        }
        Document doc = parser().parse(new ByteArrayInputStream(response.body()), url);
        out.append(",\"content_type\":\"").append(response.headers().firstValue("content-type").orElse("")).append("\"");
        System.out.println(describe(doc, out.toString()));
    }

    // A validating parser: the DOCTYPE's SYSTEM "appdata.dtd" is fetched relative to the URL.
    static DocumentBuilder parser() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setValidating(true);
        DocumentBuilder parser = factory.newDocumentBuilder();
        parser.setErrorHandler(new ErrorHandler() {
            public void warning(SAXParseException e) { }
            public void error(SAXParseException e) throws SAXParseException { throw e; }
            public void fatalError(SAXParseException e) throws SAXParseException { throw e; }
        });
        return parser;
    }

    static String describe(Document doc, String head) {
        StringBuilder out = new StringBuilder(head);
        out.append(",\"sets\":[");
        NodeList sets = doc.getElementsByTagName("cntset");
        for (int i = 0; i < sets.getLength(); i++) {
            Element set = (Element) sets.item(i);
            long start = Long.parseLong(set.getAttribute("starttime"));
            LocalDateTime local = LocalDateTime.ofEpochSecond(start, 0, ZoneOffset.UTC);
            if (i > 0) out.append(",");
            out.append("{\"name\":\"").append(set.getAttribute("name"))
               .append("\",\"date\":\"").append(set.getAttribute("date"))
               .append("\",\"starttime\":").append(start)
               .append(",\"local\":\"").append(local)
               .append("\",\"delta\":").append(Integer.parseInt(set.getAttribute("delta")))
               .append(",\"bins\":[");
            NodeList groups = set.getElementsByTagName("cntgroup");
            for (int j = 0; j < groups.getLength(); j++) {
                Element group = (Element) groups.item(j);
                long end = Long.parseLong(group.getAttribute("endtime"));
                int in = 0, outCount = 0;
                NodeList cnts = group.getElementsByTagName("cnt");
                for (int k = 0; k < cnts.getLength(); k++) {
                    Element cnt = (Element) cnts.item(k);
                    int value = Integer.parseInt(cnt.getTextContent().trim());
                    if (cnt.getAttribute("typeid").equals("3")) in = value;
                    if (cnt.getAttribute("typeid").equals("4")) outCount = value;
                }
                if (j > 0) out.append(",");
                out.append("[").append(end).append(",").append(in).append(",").append(outCount).append("]");
            }
            out.append("]}");
        }
        return out.append("]}").toString();
    }
}
