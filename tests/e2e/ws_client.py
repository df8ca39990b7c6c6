#!/usr/bin/env python3
"""A WebSocket client speaking what client libraries (client-go < 1.30, the JavaScript and
Python clients) speak to pods/exec and pods/portforward: the channel protocols
v4.channel.k8s.io, base64.channel.k8s.io and the kubelet-style port-forward. Standard
library only. Credentials come from the kubeconfig (KUBECONFIG) via kubectl.

  ws_client.py exec PROTOCOL NS POD CMD...   prints {"stdout","stderr","status","protocol"}
  ws_client.py portforward NS POD PORT       sends a GET / over the forwarded port,
                                             prints {"ports","data","error"}
"""
import base64
import json
import os
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import urllib.parse


def kubeconfig(path):
    out = subprocess.check_output(["kubectl", "config", "view", "--raw", "--minify", "-o", "json"])
    cfg = json.loads(out)
    cluster = cfg["clusters"][0]["cluster"]
    user = cfg["users"][0]["user"]
    files = {}
    for key, field in (("ca", cluster["certificate-authority-data"]),
                       ("cert", user["client-certificate-data"]),
                       ("key", user["client-key-data"])):
        f = os.path.join(path, key + ".pem")
        with open(f, "wb") as fh:
            fh.write(base64.b64decode(field))
        files[key] = f
    url = urllib.parse.urlparse(cluster["server"])
    return url.hostname, url.port, files


class WebSocket:
    def __init__(self, host, port, files, target, protocol):
        ctx = ssl.create_default_context(cafile=files["ca"])
        ctx.load_cert_chain(files["cert"], files["key"])
        raw = socket.create_connection((host, port), timeout=20)
        self.sock = ctx.wrap_socket(raw, server_hostname=host)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: Upgrade\r\n"
                   f"Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n")
        if protocol:
            request += f"Sec-WebSocket-Protocol: {protocol}\r\n"
        self.sock.sendall((request + "\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("connection closed during the handshake")
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        if " 101 " not in lines[0] + " ":
            raise RuntimeError("handshake refused: " + lines[0] + " " + self.buf.decode(errors="replace"))
        self.headers = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in lines[1:]}

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError()
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self):
        """(opcode, payload) of the next whole message; (None, None) at EOF."""
        try:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            return b0 & 0x0F, self._read(n)
        except (EOFError, ssl.SSLError, OSError):
            return None, None

    def send(self, payload, opcode=2):
        mask = os.urandom(4)
        head = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


def exec_command(host, port, files, protocol, ns, pod, cmd):
    query = urllib.parse.urlencode([("command", c) for c in cmd] + [("stdout", "true"), ("stderr", "true")])
    ws = WebSocket(host, port, files, f"/api/v1/namespaces/{ns}/pods/{pod}/exec?{query}", protocol)
    b64 = protocol.startswith("base64") or protocol.startswith("v4.base64")
    out = {"stdout": "", "stderr": "", "status": None, "protocol": ws.headers.get("sec-websocket-protocol")}
    while True:
        op, data = ws.recv()
        if op is None or op == 8:
            break
        if not data:
            continue
        if b64:
            channel, data = data[0] - ord("0"), base64.b64decode(data[1:])
        else:
            channel, data = data[0], data[1:]
        if channel == 1:
            out["stdout"] += data.decode()
        elif channel == 2:
            out["stderr"] += data.decode()
        elif channel == 3 and data:
            text = data.decode()
            try:
                out["status"] = json.loads(text)
            except ValueError:
                out["status"] = text
    return out


def port_forward(host, port, files, ns, pod, remote):
    ws = WebSocket(host, port, files, f"/api/v1/namespaces/{ns}/pods/{pod}/portforward?ports={remote}",
                   "v4.channel.k8s.io")
    out = {"ports": [], "data": "", "error": ""}
    first = {0: True, 1: True}
    sent = False
    while True:
        op, data = ws.recv()
        if op is None or op == 8:
            break
        if not data:
            continue
        channel, data = data[0], data[1:]
        if first.get(channel):  # each channel starts with the port, 2 bytes little-endian
            first[channel] = False
            out["ports"].append(struct.unpack("<H", data[:2])[0])
            data = data[2:]
            if channel == 0 and not sent:
                ws.send(b"\x00" + b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
                sent = True
        if channel == 0:
            out["data"] += data.decode(errors="replace")
        elif channel == 1 and data:
            out["error"] += data.decode(errors="replace")
            break
    return out


def main():
    with tempfile.TemporaryDirectory() as tmp:
        host, port, files = kubeconfig(tmp)
        if sys.argv[1] == "exec":
            result = exec_command(host, port, files, sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
        else:
            result = port_forward(host, port, files, sys.argv[2], sys.argv[3], int(sys.argv[4]))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
