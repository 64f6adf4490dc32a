"""A requests client as its documentation shows: a Session with HTTPDigestAuth, polling.

Usage: python requests_client.py BASE USER PASSWORD
Prints one JSON object: statuses, what it read, and how many 401s the polling cost.
"""

import json
import sys

import requests
from requests.auth import HTTPDigestAuth

base, user, password = sys.argv[1:4]
api = base + "/local/tvpc/.api"
session = requests.Session()
session.auth = HTTPDigestAuth(user, password)
challenged = 0
lives = []
for _ in range(5):  # a dashboard polling live-sum: requests reuses the nonce with a rising nc
    answer = session.get(api + "?live-sum.json", timeout=10)
    challenged += sum(1 for r in answer.history if r.status_code == 401)
    lives.append([answer.status_code, answer.json()["in"], answer.json()["out"]])
exported = session.get(
    api, params={"export-json": "", "date": "20170512,20170513", "res": "24h"}, timeout=10
)
csv_text = session.get(api + "?export-csv&date=20170512&res=24h", timeout=10).text
days = session.get(api + "?list-cnt.json", timeout=10).json()["days"]
print(
    json.dumps(
        {
            "lives": lives,
            "challenged": challenged,
            "json": exported.json(),
            "csv": csv_text,
            "days": days,
        }
    )
)
