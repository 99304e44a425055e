# Echo server on asyncio with uvloop's event loop (protocol API), for
# `demo bench -peers`. usage: python3 uvloop_echo.py HOST:PORT
import asyncio
import sys

import uvloop


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


async def main(host, port):
    server = await asyncio.get_running_loop().create_server(Echo, host, port, backlog=512)
    async with server:
        await server.serve_forever()


host, port = sys.argv[1].rsplit(":", 1)
uvloop.install()
asyncio.run(main(host, int(port)))
