// Echo server on node's net module, for `demo bench -peers`.
// usage: node node_echo.js HOST:PORT
const net = require('net');
const arg = process.argv[2];
const i = arg.lastIndexOf(':');
net.createServer((sock) => {
  sock.on('data', (chunk) => sock.write(chunk));
  sock.on('error', () => sock.destroy());
}).listen(Number(arg.slice(i + 1)), arg.slice(0, i), 512);
