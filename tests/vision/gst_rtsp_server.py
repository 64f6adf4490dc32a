"""A real RTSP server for tests: GStreamer's gst-rtsp-server (Debian's python3-gi and
gir1.2-gst-rtsp-server-1.0), run by the system Python as a subprocess. It streams H.264 of one
flat grey level at 25 fps, 320x240, and can ask for a Digest or Basic login, serve RTP over the
RTSP connection only (TCP interleaved, as an Axis camera may), and serve RTSPS (TLS).

    /usr/bin/python3 gst_rtsp_server.py PORT LEVEL [--login USER:PASS --auth digest|basic]
                                         [--tcp-only] [--tls CERT KEY]

Prints `ready` once it listens; the stream is at rtsp://127.0.0.1:PORT/axis-media/media.amp.
"""

import argparse

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import Gio, GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

PATH = "/axis-media/media.amp"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port")
    parser.add_argument("level", type=int)
    parser.add_argument("--login", default="")
    parser.add_argument("--auth", choices=("digest", "basic"), default="digest")
    parser.add_argument("--tcp-only", action="store_true")
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = parser.parse_args()
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(args.port)
    factory = GstRtspServer.RTSPMediaFactory()
    colour = 0xFF000000 | (args.level << 16) | (args.level << 8) | args.level
    factory.set_launch(
        f"( videotestsrc is-live=true pattern=solid-color foreground-color={colour} "
        "! video/x-raw,width=320,height=240,framerate=25/1 "
        "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=12 "
        "! rtph264pay name=pay0 pt=96 config-interval=1 )"
    )
    factory.set_shared(True)
    if args.tcp_only:
        factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
    if args.login or args.tls:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "user")
        if args.login:
            user, password = args.login.split(":", 1)
            if args.auth == "digest":
                auth.add_digest(user, password, token)
                auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
            else:
                auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
                auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
        else:
            auth.set_default_token(token)
        if args.tls:
            auth.set_tls_certificate(Gio.TlsCertificate.new_from_files(*args.tls))
        server.set_auth(auth)
        factory.add_role_from_structure(
            Gst.Structure.new_from_string(
                "user, media.factory.access=(boolean)true, media.factory.construct=(boolean)true"
            )
        )
    server.get_mount_points().add_factory(PATH, factory)
    server.attach(None)
    print("ready", flush=True)
    GLib.MainLoop().run()


main()
