// Published client libraries from the npm registry, used as their READMEs show: digest-fetch
// (DigestClient.fetch) and urllib (request with digestAuth) for Digest, axios (auth = Basic,
// params with a cache-buster, as a Vue dashboard polls). Run from a directory whose
// node_modules holds them. Usage: node npm_clients.mjs BASE USER PASSWORD
import axios from "axios";
import DigestClient from "digest-fetch";
import { request } from "urllib";

const [base, user, password] = process.argv.slice(2);
const api = `${base}/local/tvpc/.api`;
const result = {};

const client = new DigestClient(user, password);
const live = await client.fetch(`${api}?live-sum.json`);
result.digestFetch = { status: live.status, live: await live.json() };
const json = await client.fetch(`${api}?export-json&date=20170512,20170513&res=24h`);
result.digestFetch.json24 = await json.json();
const csv = await client.fetch(`${api}?export-csv&date=20170512-20170513&res=24h`);
result.digestFetch.csv24 = await csv.text();
const set = await client.fetch(`${base}/local/tvpc/.apioperator?setparams&Counter.Height=300`);
result.digestFetch.setparams = [set.status, (await set.text()).trim()];
// digest-fetch hashes the URL as written (a raw space) while fetch sends it as %20.
const named = await client.fetch(`${base}/local/tvpc/.apioperator?setparams&Counter.Name=Exit south`);
result.digestFetch.rawSpace = [named.status, (await named.text()).trim()];

const opts = { digestAuth: `${user}:${password}`, dataType: "json" };
const u1 = await request(`${api}?live-sum.json`, opts);
const u2 = await request(`${api}?export-json&date=20170512%2C20170513&res=24h`, opts);
const u3 = await request(`${api}?params.json`, opts);
result.urllib = { status: u1.status, live: u1.data, json24: u2.data, height: u3.data.Counter.Height };

// axios writes every param as key=value: the action arrives as `live-sum.json=`.
const auth = { username: user, password };
const a1 = await axios.get(api, { params: { "live-sum.json": "", _: Date.now() }, auth });
const a2 = await axios.get(api, {
  params: { "export-json": "", date: "20170512,20170513", res: "24h", _: Date.now() }, auth,
});
result.axios = { status: a1.status, live: a1.data, json24: a2.data, url: a1.request.path };
console.log(JSON.stringify(result));
