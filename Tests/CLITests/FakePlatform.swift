import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A fake Mozarto platform on 127.0.0.1: Python's `http.server` (Foundation has no server on
/// Linux), started by the tests, one thread per request. The first path segment names the
/// answer (`http://127.0.0.1:PORT/rules/v1/api/mozarto/cashier`); every request is checked —
/// method, path, headers, body — and a failed check is answered 400 "FAKE CHECK FAILED: …",
/// which no test expects. Each request is also written to `requests.jsonl` for the tests to read.
final class FakePlatform: @unchecked Sendable {
    static let token = "tok-FAKE-company-0123456789"
    static let userToken = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VySWQiOiJ1MSJ9.c2lnbmF0dXJl"

    let process: Process
    let directory: URL
    let port: Int
    var log: String { directory.appendingPathComponent("requests.jsonl").path }

    func base(_ scenario: String) -> String { "http://127.0.0.1:\(port)/\(scenario)" }

    static let script = #"""
import json, os, signal, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Foundation's Process starts children with signals blocked: take SIGTERM back, and end on
# our own when the test process is gone or after 5 minutes (bounded, whatever happens).
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
signal.signal(signal.SIGTERM, signal.SIG_DFL)
PARENT = os.getppid()
def watchdog():
    started = time.time()
    while os.getppid() == PARENT and time.time() - started < 300: time.sleep(0.5)
    os._exit(0)
threading.Thread(target=watchdog, daemon=True).start()

TOKEN, USER_TOKEN, PORT_FILE, LOG = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
REQUIRED = ["pspType","type","baseamount","currency","currencyCode","userId","email","firstName","lastName","phone","gender","dob",
            "countryCode","kycVerified","blocked","isVelocity","transactionCount","userBalance","partnerName","emailVerification",
            "verificationDate","address"]
lock = threading.Lock()

def answer(scenario, body):
    tx = "cashier-" + body.get("userId", "x")
    if scenario == "created":
        data = {"status": "PENDING", "sessionId": "60a74038-5b94-427e-8cff-abc123", "transactionId": tx}
        if body.get("type") == "PAYIN": data["url"] = "https://checkout.cleo.finance/s/60a74038"
        return 200, {"status": "success", "message": "Successfully", "isSuccess": True, "data": data}
    if scenario == "created-no-id":
        return 200, {"status": "success", "isSuccess": True, "data": {"status": "PENDING", "sessionId": "s-no-id"}}
    if scenario.startswith("code-"):
        return 400, {"status": "error", "isSuccess": False, "errorCode": scenario[5:], "message": "Payment could not be processed due to invalid PSP credentials.", "transactionId": tx, "errors": []}
    if scenario == "missing":
        return 400, {"status": "error", "message": "Missing required field: pspType", "isSuccess": False, "errors": []}
    if scenario == "validation":
        return 400, {"status": "error", "message": "Validation failed", "isSuccess": False, "errors": ["amount must not be empty", "email must be a valid email"]}
    if scenario == "rules":
        return 400, {"status": "error", "message": "Rules action is not matched", "isSuccess": False, "errors": []}
    if scenario == "pspconfig":
        return 400, {"status": "error", "message": "Something went wrong", "isSuccess": False, "data": "PSP Configuration not found. Please check you psp Configuration"}
    if scenario == "unauthorized":
        return 401, {"status": "error", "message": "Unauthorized", "isSuccess": False, "errors": []}
    if scenario == "forbidden":
        return 403, {"status": "error", "message": "Forbidden: password expired", "isSuccess": False, "errors": []}
    if scenario == "internal":
        return 500, {"status": "error", "message": "Internal server error", "isSuccess": False, "data": "Something went wrong"}
    if scenario == "echo":
        return 400, {"status": "error", "message": "bad header: Bearer " + TOKEN, "isSuccess": False, "errors": ["x-user-token Bearer " + USER_TOKEN]}
    return 404, {"status": "error", "message": "unknown scenario " + scenario}

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass

    def send(self, status, payload, content_type="application/json"):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self): self.send(405, {"message": "FAKE CHECK FAILED: method GET"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        parts = self.path.split("/", 2)
        scenario, rest = (parts[1], "/" + parts[2]) if len(parts) == 3 else ("", self.path)
        problems = []
        if rest != "/v1/api/mozarto/cashier": problems.append("path " + self.path)
        if self.headers.get("Authorization") != "Bearer " + TOKEN: problems.append("Authorization header")
        if not (self.headers.get("Content-Type") or "").startswith("application/json"): problems.append("Content-Type")
        user = self.headers.get("x-user-token")
        if user is not None and user != "Bearer " + USER_TOKEN: problems.append("x-user-token")
        try:
            body = json.loads(raw)
            missing = [k for k in REQUIRED if k not in body]
            if missing: problems.append("body lacks " + ",".join(missing))
            if body.get("pspType") != "CLEO": problems.append("pspType")
            if body.get("type") not in ("PAYIN", "PAYOUT"): problems.append("type")
        except Exception as e:
            body = {}
            problems.append("body is not JSON: %s" % e)
        with lock:
            with open(LOG, "a") as f:
                f.write(json.dumps({"method": self.command, "path": self.path, "headers": dict(self.headers.items()),
                                    "body": raw.decode("utf-8", "replace"), "problems": problems}) + "\n")
        if problems:
            return self.send(400, {"status": "error", "message": "FAKE CHECK FAILED: " + "; ".join(problems), "isSuccess": False})
        if scenario == "hang":
            time.sleep(8)
            return self.send(200, {"status": "success", "isSuccess": True, "data": {"status": "PENDING", "sessionId": "late"}})
        if scenario == "not-json":
            return self.send(200, b"<html><body>502 Bad Gateway</body></html>", "text/html")
        status, payload = answer(scenario, body)
        self.send(status, payload)

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(PORT_FILE + ".tmp", "w") as f: f.write(str(server.server_address[1]))
import os; os.rename(PORT_FILE + ".tmp", PORT_FILE)
server.serve_forever()
"""#

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-fake-platform-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("fake_platform.py")
        try Self.script.write(to: script, atomically: true, encoding: .utf8)
        let portFile = directory.appendingPathComponent("port").path
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, Self.token, Self.userToken, portFile, directory.appendingPathComponent("requests.jsonl").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var port = 0
        for _ in 0..<200 {  // 10 s at most
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let value = Int(text) { port = value; break }
            usleep(50_000)
        }
        guard port > 0 else {
            process.terminate()
            throw FakePlatformError.didNotStart
        }
        self.port = port
    }

    enum FakePlatformError: Error { case didNotStart }

    func stop() {
        // SIGKILL: a child of Foundation's Process may have SIGTERM blocked.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The requests it received, in order.
    func requests() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// A loopback port with nothing listening: bound, then closed.
    static func closedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
