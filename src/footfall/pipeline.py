"""Wires source -> detect -> track -> count -> ingest for one counter (placeholder contract).

Contract used by `footfall serve`:
    handle = start_counting(source, params_provider, ingest)
    handle.stop(); handle.status() -> dict
`params_provider()` returns the current Params, so a setparams of the area applies while running.
Counting runs in its own thread or process and never blocks the HTTP server.
"""
