// A C# importer as .NET integrations are written, compiled and run on Mono here: HttpWebRequest
// with a NetworkCredential (it answers the Digest challenge), live-sum.json read with the
// framework's JSON reader, export-xml with XDocument, export-csv split by header names.
// (Mono 6.8's HttpClient cannot answer Digest at all: its AuthenticationHelper.ComputeHash
// fails with InvalidProgramException.) argv: BASE USER PASSWORD. Prints one JSON object.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Runtime.Serialization.Json;
using System.Text;
using System.Xml;
using System.Xml.Linq;

class Importer
{
    static byte[] Get(string url, NetworkCredential login, out int status)
    {
        var request = (HttpWebRequest)WebRequest.Create(url);
        request.Credentials = login;
        try
        {
            using (var response = (HttpWebResponse)request.GetResponse())
            using (var body = new MemoryStream())
            {
                response.GetResponseStream().CopyTo(body);
                status = (int)response.StatusCode;
                return body.ToArray();
            }
        }
        catch (WebException e) when (e.Response is HttpWebResponse refused)
        {
            status = (int)refused.StatusCode;
            return null;
        }
    }

    static int Main(string[] args)
    {
        string baseUrl = args[0];
        var login = new NetworkCredential(args[1], args[2]);
        var parts = new List<string>();
        int status;

        var bytes = Get(baseUrl + "/local/tvpc/.api?live-sum.json", login, out status);
        parts.Add("\"live_status\":" + status);
        if (bytes != null)
        {
            var reader = JsonReaderWriterFactory.CreateJsonReader(bytes, XmlDictionaryReaderQuotas.Max);
            var root = XElement.Load(reader);
            parts.Add("\"live_serial\":\"" + root.Element("serial").Value + "\"");
            parts.Add("\"live_in\":" + root.Element("in").Value);
            parts.Add("\"live_out\":" + root.Element("out").Value);
        }

        var xml = Get(baseUrl + "/local/tvpc/.api?export-xml&date=20170513&res=24h", login, out status);
        parts.Add("\"xml_status\":" + status);
        if (xml != null)
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore };
            var doc = XDocument.Load(XmlReader.Create(new MemoryStream(xml), settings));
            var set = doc.Descendants("cntset").First();
            int ins = 0, outs = 0;
            foreach (var cnt in set.Descendants("cnt"))
            {
                if ((string)cnt.Attribute("typeid") == "3") ins += (int)cnt;
                if ((string)cnt.Attribute("typeid") == "4") outs += (int)cnt;
            }
            parts.Add("\"xml_name\":\"" + (string)set.Attribute("name") + "\"");
            parts.Add("\"xml_in\":" + ins + ",\"xml_out\":" + outs);
        }

        var csv = Get(baseUrl + "/local/tvpc/.api?export-csv&date=20170512&res=1h", login, out status);
        parts.Add("\"csv_status\":" + status);
        if (csv != null)
        {
            var lines = Encoding.UTF8.GetString(csv).TrimEnd('\n').Split('\n');
            var header = lines[0].Split(',').ToList();
            int iin = header.IndexOf("Pedestrians coming in"), iout = header.IndexOf("Pedestrians going out");
            int ins = 0, outs = 0;
            foreach (var line in lines.Skip(1))
            {
                var cells = line.Split(',');
                ins += int.Parse(cells[iin]);
                outs += int.Parse(cells[iout]);
            }
            parts.Add("\"csv_rows\":" + (lines.Length - 1) + ",\"csv_in\":" + ins + ",\"csv_out\":" + outs);
        }
        Console.WriteLine("{" + string.Join(",", parts) + "}");
        return 0;
    }
}
