"""An httpx client as its documentation shows: DigestAuth or BasicAuth on a Client.

Usage: python httpx_client.py digest|basic BASE USER PASSWORD
Prints one JSON object with what it read and the algorithm it answered with.
"""

import json
import sys

import httpx

mode, base, user, password = sys.argv[1:5]
auth = httpx.DigestAuth(user, password) if mode == "digest" else httpx.BasicAuth(user, password)
with httpx.Client(base_url=base, auth=auth, timeout=10) as client:
    live = client.get("/local/tvpc/.api", params={"live-sum.json": ""})
    exported = client.get(  # httpx would drop a bare `?export-json` of the URL given params=
        "/local/tvpc/.api", params={"export-json": "", "date": "20170512,20170513", "res": "15m"}
    )
    xml = client.get("/local/people-counter/.api?export-xml&date=20170512&res=24h")
    answer = client.post(
        "/local/tvpc/.apioperator",
        content=b"setparams&Counter.Height=285",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    sent = answer.request.headers.get("authorization", "")
print(
    json.dumps(
        {
            "statuses": [
                live.status_code,
                exported.status_code,
                xml.status_code,
                answer.status_code,
            ],
            "live": live.json(),
            "json": exported.json(),
            "xml_has_dtd": '<!DOCTYPE countdata SYSTEM "appdata.dtd">' in xml.text,
            "setparams": answer.text,
            "algorithm": "SHA-256"
            if "SHA-256" in sent
            else ("MD5" if "Digest" in sent else "Basic"),
        }
    )
)
