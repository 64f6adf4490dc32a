// A monitor in the C#/Java style of SPEC.md §6: POST setparams to .apioperator with
// java.net.http.HttpClient (HTTP/2 by default, so it asks for an h2c upgrade on plain http),
// then read params.json and pick Counter.Enabled and Counter.Height out of the text.
// Usage: java ParamsMonitor BASE USER PASSWORD HEIGHT
// Prints {"post":STATUS,"answer":"...","get":STATUS,"enabled":N,"height":N}.

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class ParamsMonitor {
    public static void main(String[] args) throws Exception {
        String base = args[0], user = args[1], password = args[2], height = args[3];
        String basic = "Basic " + Base64.getEncoder().encodeToString(
            (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest post = HttpRequest.newBuilder(URI.create(base + "/local/tvpc/.apioperator"))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", basic)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(
                "p1=Counter.Enable&v1=1&p2=Counter.Height&v2=" + height + "&setparams=needstobeincluded"))
            .build();
        HttpResponse<String> posted = client.send(post, HttpResponse.BodyHandlers.ofString());
        HttpRequest get = HttpRequest.newBuilder(URI.create(base + "/local/tvpc/.api?params.json"))
            .timeout(Duration.ofSeconds(10)).header("Authorization", basic).GET().build();
        HttpResponse<String> params = client.send(get, HttpResponse.BodyHandlers.ofString());
        Matcher counter = Pattern.compile("\"Counter\":\\{([^}]*)\\}").matcher(params.body());
        String group = counter.find() ? counter.group(1) : "";
        System.out.println("{\"post\":" + posted.statusCode()
            + ",\"answer\":\"" + posted.body().trim() + "\""
            + ",\"get\":" + params.statusCode()
            + ",\"enabled\":" + number(group, "Enabled")
            + ",\"height\":" + number(group, "Height") + "}");
    }

    static String number(String group, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(-?\\d+)").matcher(group);
        return m.find() ? m.group(1) : "null";
    }
}
