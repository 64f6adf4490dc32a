"""A Python client using only the standard library, the way its documentation shows.

Usage: python stdlib_client.py MODE BASE USER PASSWORD
MODE: digest (HTTPDigestAuthHandler), basic (HTTPBasicAuthHandler, answers a Basic challenge),
basic-prior (HTTPPasswordMgrWithPriorAuth: Basic sent before any challenge).
Prints one JSON object: what it read, or {"error": "..."} when the handler gave up.
"""

import json
import sys
import urllib.error
import urllib.request

mode, base, user, password = sys.argv[1:5]
api = base + "/local/tvpc/.api"
if mode == "basic-prior":
    manager = urllib.request.HTTPPasswordMgrWithPriorAuth()
    manager.add_password(None, base, user, password, is_authenticated=True)
else:
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, base, user, password)
handler = (
    urllib.request.HTTPDigestAuthHandler(manager)
    if mode == "digest"
    else urllib.request.HTTPBasicAuthHandler(manager)
)
opener = urllib.request.build_opener(handler)


def get(query):
    with opener.open(api + "?" + query, timeout=10) as response:
        return response.read().decode("utf-8"), response.headers.get_content_type()


try:
    live, _ = get("live-sum.json")
    days, _ = get("list-cnt.json")
    exported, kind = get("export-json&date=20170512%2C20170513&res=1h")
    csv_text, csv_kind = get("export-csv&date=20170512&res=24h")
    params, _ = get("params.json")
    request = urllib.request.Request(
        base + "/local/tvpc/.apioperator",
        data=b"p1=Counter.Height&v1=284&setparams=x",
        method="POST",
    )
    with opener.open(request, timeout=10) as response:
        set_answer = response.read().decode()
except (urllib.error.HTTPError, ValueError) as exc:
    print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
    sys.exit(0)
print(
    json.dumps(
        {
            "live": json.loads(live),
            "days": json.loads(days)["days"],
            "json": json.loads(exported),
            "json_type": kind,
            "csv": csv_text,
            "csv_type": csv_kind,
            "enabled": json.loads(params)["Counter"]["Enabled"],
            "setparams": set_answer,
        }
    )
)
