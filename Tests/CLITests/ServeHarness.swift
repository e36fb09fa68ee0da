import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 answer as read off the socket.
struct HTTPReply {
    var status: Int
    var headers: [String: String]
    var body: String
}

/// A plain-socket HTTP/1.1 client (`Connection: close`), so the tests control every byte sent:
/// a Content-Length with no body, a body sent in chunks, a header left out.
enum RawHTTP {
    static func connect(port: Int, timeout: Double = 15) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPError.io("socket") }
        var time = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else { close(fd); throw HTTPError.io("connect: \(String(cString: strerror(errno)))") }
        return fd
    }

    /// Sends `bytes` (stopping quietly if the server closes first); false if it did.
    @discardableResult
    static func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + done, $0.count - done, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    static func readReply(_ fd: Int32) throws -> HTTPReply {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
            if let reply = parse(data), reply.complete { return reply.reply }
        }
        guard let reply = parse(data) else { throw HTTPError.io("no HTTP answer (\(data.count) bytes)") }
        return reply.reply
    }

    /// `count` answers read off one connection, in the order the server wrote them.
    static func readReplies(_ fd: Int32, count: Int) throws -> [HTTPReply] {
        var data = [UInt8]()
        var replies: [HTTPReply] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while replies.count < count {
            while let (reply, used) = parseOne(data) {
                replies.append(reply)
                data.removeFirst(used)
            }
            if replies.count >= count { break }
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { throw HTTPError.io("the connection ended after \(replies.count) of \(count) answers") }
            data.append(contentsOf: buffer[0..<n])
        }
        return replies
    }

    /// The first complete answer in `data` (with a Content-Length) and how many bytes it took.
    private static func parseOne(_ data: [UInt8]) -> (HTTPReply, Int)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard data.count >= 4, let end = (0...(data.count - 4)).first(where: { Array(data[$0..<$0 + 4]) == separator }) else { return nil }
        guard let parsed = parse(Array(data[..<(end + 4)])), let length = parsed.reply.headers["content-length"].flatMap(Int.init),
              data.count >= end + 4 + length else { return nil }
        var reply = parsed.reply
        reply.body = String(decoding: data[(end + 4)..<(end + 4 + length)], as: UTF8.self)
        return (reply, end + 4 + length)
    }

    private static func parse(_ data: [UInt8]) -> (reply: HTTPReply, complete: Bool)? {
        let text = String(decoding: data, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return nil }
        let head = text[..<end.lowerBound].components(separatedBy: "\r\n")
        guard let statusLine = head.first, statusLine.hasPrefix("HTTP/1."), let status = Int(statusLine.split(separator: " ")[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let body = String(text[end.upperBound...])
        let length = headers["content-length"].flatMap(Int.init)
        return (HTTPReply(status: status, headers: headers, body: body), length.map { body.utf8.count >= $0 } ?? false)
    }

    /// One request; `headers` are sent as given (the Host and Connection headers are added).
    static func request(port: Int, method: String = "POST", path: String = "/hooks/cleo", headers: [(String, String)] = [("Content-Type", "application/json")],
                        body: [UInt8] = [], contentLength: Bool = true) throws -> HTTPReply {
        let fd = try connect(port: port)
        defer { close(fd) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if contentLength { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        send(fd, Array(head.utf8) + body)
        return try readReply(fd)
    }

    static func post(port: Int, _ body: String, path: String = "/hooks/cleo", headers: [(String, String)] = [("Content-Type", "application/json")]) throws -> HTTPReply {
        try request(port: port, path: path, headers: headers, body: Array(body.utf8))
    }
}

enum HTTPError: Error { case io(String) }

/// Asks `request` again (every `every` seconds, for at most `seconds`) until it answers `wanted`;
/// the last status seen, and how long it took.
func pollStatus(_ wanted: Int, seconds: Double, every: Double = 0.05, _ request: () throws -> Int) rethrows -> (status: Int, after: Double) {
    let start = Date()
    var status = 0
    while Date().timeIntervalSince(start) < seconds {
        status = try request()
        if status == wanted { break }
        usleep(useconds_t(every * 1e6))
    }
    return (status, Date().timeIntervalSince(start))
}

/// `cleo-console serve` started by a test on `host` (127.0.0.1 unless told) and a port the system
/// chose; the tests reach it on 127.0.0.1 either way.
final class ServeProcess {
    let process: Process
    let output: String
    private(set) var port = 0

    init(_ harness: CLIHarness, _ arguments: [String] = [], host: String = "127.0.0.1", output name: String = "serve.out", user: String? = nil) throws {
        output = harness.directory.appendingPathComponent(name).path
        process = try harness.start(["serve", "--listen", "\(host):0"] + arguments, output: output, user: user)
        // Bounded: a debug build starts in well under a second.
        for _ in 0..<300 {
            if let range = log.range(of: "listening on http://\(host):") ?? log.range(of: "listening on https://\(host):") {
                let digits = log[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits), port > 0 { self.port = port; return }
            }
            if !process.isRunning { break }
            usleep(50_000)
        }
        process.terminate()
        throw HTTPError.io("serve did not start: \(log)")
    }

    var log: String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Bytes the process has read through any descriptor (`rchar` of /proc/PID/io).
    func bytesRead() throws -> Int {
        let text = try String(contentsOfFile: "/proc/\(process.processIdentifier)/io", encoding: .utf8)
        let line = text.split(separator: "\n").first { $0.hasPrefix("rchar:") } ?? ""
        return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) ?? 0
    }

    /// Waits up to `seconds` for the process to end; its status, or nil if still running.
    func waitForExit(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { return nil }
        return process.terminationStatus
    }

    /// SIGTERM and wait; SIGKILL if it does not end.
    func stop() {
        guard process.isRunning else { return }
        signal(SIGTERM)
        if waitForExit(seconds: 6) == nil { signal(SIGKILL); _ = waitForExit(seconds: 5) }
    }
}

extension CLIHarness {
    func configureWebhook(_ url: String = "https://ops.example.com/hooks/cleo") throws {
        let result = try run(["config", "set", "webhookUrl", url])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// Waits (bounded) until the follower has applied `count` lines.
    func waitForLinesApplied(_ count: Int, seconds: Double = 15) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try linesApplied() >= count { return true }
            usleep(50_000)
        }
        return false
    }

    /// The log's lines (without their LF).
    func logLines(_ path: String? = nil) throws -> [String] {
        let text = try String(contentsOfFile: path ?? events, encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}

/// A JSON object from a log line or a reply, or nil.
func jsonObject(_ text: String) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
}

/// Values collected from several threads.
final class Collected<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Value] = []
    func append(_ value: Value) { lock.lock(); values.append(value); lock.unlock() }
    var all: [Value] { lock.lock(); defer { lock.unlock() }; return values }
    var count: Int { lock.lock(); defer { lock.unlock() }; return values.count }
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

/// Posts from `workers` threads until `stop` is set, a worker's `perWorker` deliveries are sent,
/// or the server is gone; returns when all have stopped. Each 200's deliveryId goes to `acked`.
func postConcurrently(port: Int, workers: Int, perWorker: Int, prefix: String, stop: Flag, acked: Collected<String>,
                      statuses: Collected<Int>? = nil, padding: Int = 0) {
    let pad = String(repeating: "x", count: padding)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
        for i in 0..<perWorker where !stop.isSet {
            let body = webhookLine("\(prefix)-\(worker)-\(i)", extra: padding > 0 ? [("message", "\"\(pad)\"")] : [])
            guard let reply = try? RawHTTP.post(port: port, body) else { return }  // the server is gone
            statuses?.append(reply.status)
            if reply.status == 200, let id = jsonObject(reply.body)?["deliveryId"] as? String { acked.append(id) }
        }
    }
}

/// Every acknowledged delivery is in the log exactly once, on a line of its own that parses;
/// no line holds two deliveries (glued). Returns the lines that do not parse (torn, never acknowledged).
func checkAcknowledged(_ acked: [String], lines: [String]) -> [String] {
    var seen: [String: Int] = [:]
    var unparsed: [String] = []
    for line in lines {
        #expect(line.components(separatedBy: "\"deliveryId\"").count <= 2, "glued: \(line.prefix(200))")
        guard let object = jsonObject(line) else { unparsed.append(line); continue }
        if let id = object["deliveryId"] as? String { seen[id, default: 0] += 1 }
    }
    for id in acked { #expect(seen[id] == 1, "acknowledged delivery \(id) is in the log \(seen[id] ?? 0) times") }
    for line in unparsed { #expect(!acked.contains { line.contains($0) }, "an acknowledged delivery on a torn line: \(line.prefix(200))") }
    return unparsed
}
