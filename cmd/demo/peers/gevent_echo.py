# Echo server on gevent's StreamServer, for `demo bench -peers`.
# usage: python3 gevent_echo.py HOST:PORT
import sys
from gevent.server import StreamServer


def echo(sock, _addr):
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return
            sock.sendall(data)
    except OSError:  # the load client resets its connections at the end of a run
        return


host, port = sys.argv[1].rsplit(":", 1)
StreamServer((host, int(port)), echo, backlog=512).serve_forever()
