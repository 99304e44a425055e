# gevent pywsgi serving the benchmark's two answers ("/" and "/10k").
import sys
from gevent.pywsgi import WSGIServer

HELLO = b"Hello, World!"
TENK = b"0123456789abcdef" * 640

def app(env, start):
    body = TENK if env["PATH_INFO"] == "/10k" else HELLO
    start("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]

host, port = (sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:25080").rsplit(":", 1)
WSGIServer((host, int(port)), app, log=None, backlog=1024).serve_forever()
