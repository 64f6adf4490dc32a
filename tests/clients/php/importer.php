<?php
// A shop back-end's nightly importer as PHP integrations are written: php-curl with Digest
// (CURLAUTH_DIGEST) or any scheme (CURLAUTH_ANY), str_getcsv by header names, SimpleXML on
// export-xml, json_decode on live-sum.json, and file_get_contents with the login in the URL.
// argv: BASE USER PASSWORD. Prints one JSON object of what it read.

[$script, $base, $user, $password] = $argv;

function get(string $url, int $scheme, string $login): array {
    $curl = curl_init($url);
    curl_setopt_array($curl, [
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_HTTPAUTH => $scheme,
        CURLOPT_USERPWD => $login,
        CURLOPT_TIMEOUT => 20,
    ]);
    $body = curl_exec($curl);
    $status = curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
    curl_close($curl);
    return [$status, $body];
}

$login = "$user:$password";
$out = [];

// CSV by header names, summed per local day of "Interval start".
[$status, $csv] = get("$base/local/tvpc/.api?export-csv&date=20170512,20170513&res=15m",
                      CURLAUTH_DIGEST, $login);
$lines = $status === 200 ? explode("\n", rtrim($csv, "\n")) : [];
$header = str_getcsv((string)array_shift($lines));
$days = [];
foreach ($lines as $line) {
    $row = array_combine($header, str_getcsv($line));
    $day = substr($row["Interval start"], 0, 10);
    $days[$day][0] = ($days[$day][0] ?? 0) + (int)$row["Pedestrians coming in"];
    $days[$day][1] = ($days[$day][1] ?? 0) + (int)$row["Pedestrians going out"];
}
$out["csv_status"] = $status;
$out["csv_days"] = $days;
$out["csv_rows"] = count($lines);

// export-xml through SimpleXML (libxml does not fetch the external DTD unless asked).
[$status, $xml] = get("$base/local/tvpc/.api?export-xml&date=20170513&res=24h", CURLAUTH_ANY,
                      $login);
$totals = [];
$name = null;
if ($status === 200) {
    $doc = simplexml_load_string($xml);
    $name = (string)$doc->cntset["name"];
    foreach ($doc->cntset->cntgroup as $group) {
        foreach ($group->cnt as $cnt) {
            $totals[(string)$cnt["typeid"]] = (int)$cnt;
        }
    }
}
$out["xml_status"] = $status;
$out["xml_name"] = $name;
$out["xml_totals"] = $totals;

// live-sum.json, decoded.
[$status, $json] = get("$base/local/tvpc/.api?live-sum.json", CURLAUTH_DIGEST, $login);
$live = $status === 200 ? json_decode($json, true) : null;
$out["live_status"] = $status;
$out["live"] = $live;

// file_get_contents with the login in the URL: PHP sends it as Basic right away.
$parts = parse_url($base);
$url = sprintf("http://%s:%s@%s:%d/local/tvpc/.api?live-sum.json",
               rawurlencode($user), rawurlencode($password), $parts["host"], $parts["port"]);
$plain = @file_get_contents($url);
$out["fgc_ok"] = $plain !== false;
$out["fgc_status"] = $http_response_header[0] ?? "";

echo json_encode($out), "\n";
