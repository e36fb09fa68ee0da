import CleoDomain
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `cleo-bench serve`: wrk (2 threads, 64 connections, 10 s, realistic bodies from a Lua script)
/// against `cleo-console serve` — every 200 durable, the follower on — and, in the same run,
/// against nginx answering 200 from a `return` location: the ceiling of HTTP alone here.
enum ServeBench {
    struct WrkResult {
        var requestsPerSecond = 0.0
        var p50 = 0.0
        var p99 = 0.0
        var ok = 0
        var other = 0
        var errors = ""
    }

    static func run(binary: String, seconds: Int = 10) throws {
        for tool in ["/usr/bin/wrk", "/usr/sbin/nginx"] where !FileManager.default.isExecutableFile(atPath: tool) {
            print("serve: \(tool) is missing (make deps installs wrk and nginx-light)")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-bench-serve-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bodies = dir.appendingPathComponent("bodies.jsonl").path
        try writeBodies(to: bodies, count: 2_000)
        let script = dir.appendingPathComponent("post.lua").path
        try luaScript(bodies: bodies).write(toFile: script, atomically: true, encoding: .utf8)

        // The ceiling: nginx, no disk, no parsing.
        let nginxPort = freePort()
        let nginx = try startNginx(dir: dir.path, port: nginxPort)
        defer { nginx.terminate(); nginx.waitUntilExit() }
        guard waitForPort(nginxPort) else { print("serve: nginx did not start"); return }
        let nginxProcesses = [nginx.processIdentifier] + ProcessCPU.children(of: nginx.processIdentifier)
        let nginxCPUBefore = ProcessCPU.seconds(nginxProcesses)
        let ceiling = try wrk(port: nginxPort, path: "/hooks/cleo", script: script, seconds: seconds)
        let nginxCPU = ProcessCPU.seconds(nginxProcesses) - nginxCPUBefore

        // The floor: NIO's HTTP pipeline reading the body and answering 200, nothing else.
        let floorPort = freePort()
        let floorProcess = try start(CommandLine.arguments[0], ["http-floor", String(floorPort)], environment: [:], stderr: dir.appendingPathComponent("floor.err").path)
        defer { if floorProcess.isRunning { floorProcess.terminate(); floorProcess.waitUntilExit() } }
        guard waitForPort(floorPort) else { print("serve: the HTTP floor did not start"); return }
        let floorCPUBefore = ProcessCPU.seconds([floorProcess.processIdentifier])
        let floor = try wrk(port: floorPort, path: "/hooks/cleo", script: script, seconds: seconds)
        let floorCPU = ProcessCPU.seconds([floorProcess.processIdentifier]) - floorCPUBefore
        floorProcess.terminate()
        floorProcess.waitUntilExit()

        // What one durable append costs on this disk now (it varies with the other tenants' I/O).
        let syncCost = fdatasyncCost(dir: dir.path)
        // serve, durable, with its follower.
        let db = dir.appendingPathComponent("console.db").path
        let log = dir.appendingPathComponent("webhook-events.jsonl").path
        let env = ["CLEO_CONSOLE_DB": db, "CLEO_CONSOLE_EVENTS": log]
        _ = try runTool(binary, ["config", "set", "webhookUrl", "https://ops.example.com/hooks/cleo"], environment: env)
        let servePort = freePort()
        let serveErr = dir.appendingPathComponent("serve.err").path
        let serve = try start(binary, ["serve", "--listen", "127.0.0.1:\(servePort)"], environment: env, stderr: serveErr)
        defer { if serve.isRunning { serve.terminate(); serve.waitUntilExit() } }
        guard waitForPort(servePort) else { print("serve: cleo-console serve did not start"); return }
        let serveCPUBefore = ProcessCPU.seconds([serve.processIdentifier])
        let measured = try wrk(port: servePort, path: "/hooks/cleo", script: script, seconds: seconds)
        let serveCPU = ProcessCPU.seconds([serve.processIdentifier]) - serveCPUBefore
        let ended = Date()
        let health = (try? get(port: servePort, path: "/healthz")) ?? ""
        let lagAtEnd = (jsonObject(health)?["followerLagSeconds"] as? Double) ?? -1
        let commits = (jsonObject(health)?["commits"] as? Int) ?? 0
        // The follower catching up with the log after the load stops (polled first: counting the
        // log's lines below takes a while and is no part of it).
        var caughtUp = -1.0
        while Date().timeIntervalSince(ended) < 30 {
            let h = (try? get(port: servePort, path: "/healthz")) ?? ""
            if (jsonObject(h)?["followerLagSeconds"] as? Double) == 0 { caughtUp = Date().timeIntervalSince(ended); break }
            usleep(20_000)
        }
        // The deliveries in flight when wrk stopped are answered (to no one) within a few ms.
        usleep(300_000)
        let metrics = (try? get(port: servePort, path: "/metrics")) ?? ""
        let lines = try countLines(log)
        let served200 = metrics.split(separator: "\n").first { $0.hasPrefix("cleo_serve_deliveries_total{status=\"200\"}") }
            .flatMap { Int($0.split(separator: " ").last ?? "") } ?? -1
        serve.terminate()
        serve.waitUntilExit()
        let applied = (try? runTool("/usr/bin/sqlite3", [db, "SELECT lines_applied FROM follower"], environment: [:]))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"

        print("serve (wrk -t2 -c64 -d\(seconds)s, \(bodies.split(separator: "/").last!): 2,000 realistic bodies, 200 only after fdatasync, follower on)")
        print("  nginx return 200 (ceiling)   \(format(ceiling.requestsPerSecond, 0)) req/s   p50 \(format(ceiling.p50, 2)) ms   p99 \(format(ceiling.p99, 2)) ms   200s \(ceiling.ok)\(ceiling.errors)")
        print("  NIO HTTP alone (floor)       \(format(floor.requestsPerSecond, 0)) req/s   p50 \(format(floor.p50, 2)) ms   p99 \(format(floor.p99, 2)) ms   200s \(floor.ok)\(floor.errors)   (\(format(floor.requestsPerSecond / max(ceiling.requestsPerSecond, 1), 3)) of nginx)")
        print("  cleo-console serve (durable) \(format(measured.requestsPerSecond, 0)) req/s   p50 \(format(measured.p50, 2)) ms   p99 \(format(measured.p99, 2)) ms   200s \(measured.ok), other \(measured.other)\(measured.errors)")
        print("  ratio to nginx               \(format(measured.requestsPerSecond / max(ceiling.requestsPerSecond, 1), 3))   (goal ≥ 0.25 with p99 ≤ 10 ms)")
        // CPU per request is what the server costs whatever else the machine runs (req/s is not).
        let nginxPerRequest = nginxCPU / Double(max(ceiling.ok, 1)) * 1e6
        let servePerRequest = serveCPU / Double(max(measured.ok, 1)) * 1e6
        let floorPerRequest = floorCPU / Double(max(floor.ok, 1)) * 1e6
        print("  CPU per request              nginx \(format(nginxPerRequest, 1)) µs, NIO HTTP alone \(format(floorPerRequest, 1)) µs, serve \(format(servePerRequest, 1)) µs (user+system of each server while wrk ran)")
        print("  lines appended \(lines) \(lines == served200 ? "=" : "≠") 200s answered \(served200) (wrk read \(measured.ok): the rest were in flight when it stopped); \(commits) fdatasyncs, \(format(Double(lines) / Double(max(commits, 1)), 1)) lines each")
        print("  this disk now: one 400-byte append + fdatasync \(format(syncCost.p50, 3)) ms (p50), \(format(syncCost.p99, 3)) ms (p99)")
        print("  follower: \(format(lagAtEnd * 1000, 1)) ms behind when the load stopped, caught up \(caughtUp < 0 ? "not within 30 s" : format(caughtUp, 2) + " s") later; lines applied \(applied)")
    }

    /// 300 appends of 400 bytes, each followed by fdatasync: the disk's price of durability.
    static func fdatasyncCost(dir: String) -> (p50: Double, p99: Double) {
        let fd = open(dir + "/fsync-probe", O_WRONLY | O_CREAT | O_APPEND, 0o600)
        defer { close(fd); unlink(dir + "/fsync-probe") }
        let line = [UInt8](repeating: 0x61, count: 399) + [0x0A]
        var samples: [Double] = []
        for _ in 0..<300 {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            fdatasync(fd)
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        samples.sort()
        return (samples[samples.count / 2], samples[samples.count * 99 / 100])
    }

    /// Bodies as the platform sends them: DemoFeed's events (malformed ones left out), pretty-printed
    /// one in four so the compactor has whitespace to remove.
    static func writeBodies(to path: String, count: Int) throws {
        var feed = DemoFeed(seed: 12)
        var out = ""
        var made = 0
        while made < count {
            let line = feed.nextLine(receivedAt: "2026-12-01T21:00:00.000Z")
            guard case .object = try? StrictJSONParser.parse(Array(line.utf8)) else { continue }
            // Lua reads one body a line: the pretty form's newlines travel as \n escapes in the file.
            let body = made % 4 == 0 ? line.replacingOccurrences(of: ",\"", with: ",\\n  \"").replacingOccurrences(of: "{\"", with: "{\\n  \"") : line
            out += body + "\n"
            made += 1
        }
        try out.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func luaScript(bodies: String) -> String {
        """
        local threads = {}
        function setup(thread) table.insert(threads, thread) end
        function init(args)
          ok = 0; other = 0; i = 0; bodies = {}
          for line in io.lines("\(bodies)") do
            bodies[#bodies + 1] = (line:gsub("\\\\n", "\\n"))
          end
        end
        function request()
          i = i + 1
          return wrk.format("POST", "/hooks/cleo", {["Content-Type"] = "application/json"}, bodies[(i % #bodies) + 1])
        end
        function response(status, headers, body)
          if status == 200 then ok = ok + 1 else other = other + 1 end
        end
        function done(summary, latency, requests)
          local o, x = 0, 0
          for _, t in ipairs(threads) do o = o + t:get("ok"); x = x + t:get("other") end
          local e = summary.errors
          io.write(string.format("RESULT rps=%.1f p50=%.3f p99=%.3f ok=%d other=%d connect=%d read=%d write=%d timeout=%d\\n",
            summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000, o, x,
            e.connect, e.read, e.write, e.timeout))
        end
        """
    }

    static func wrk(port: Int, path: String, script: String, seconds: Int) throws -> WrkResult {
        let output = try runTool("/usr/bin/wrk", ["-t2", "-c64", "-d\(seconds)s", "--latency", "-s", script, "http://127.0.0.1:\(port)\(path)"], environment: [:])
        var result = WrkResult()
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("RESULT ") }) else {
            result.errors = " (wrk printed no result: \(output.prefix(300)))"
            return result
        }
        var fields: [String: String] = [:]
        for pair in line.dropFirst(7).split(separator: " ") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
        }
        result.requestsPerSecond = Double(fields["rps"] ?? "") ?? 0
        result.p50 = Double(fields["p50"] ?? "") ?? 0
        result.p99 = Double(fields["p99"] ?? "") ?? 0
        result.ok = Int(fields["ok"] ?? "") ?? 0
        result.other = Int(fields["other"] ?? "") ?? 0
        let socketErrors = ["connect", "read", "write", "timeout"].compactMap { key in fields[key].flatMap(Int.init).flatMap { $0 > 0 ? "\(key) \($0)" : nil } }
        if !socketErrors.isEmpty { result.errors = "   socket errors: " + socketErrors.joined(separator: ", ") }
        return result
    }

    static func startNginx(dir: String, port: Int) throws -> Process {
        let conf = """
            worker_processes 2;
            daemon off;
            pid \(dir)/nginx.pid;
            error_log \(dir)/nginx-error.log;
            events { worker_connections 1024; }
            http {
              access_log off;
              client_body_temp_path \(dir)/nginx-body;
              proxy_temp_path \(dir)/nginx-proxy;
              fastcgi_temp_path \(dir)/nginx-fastcgi;
              uwsgi_temp_path \(dir)/nginx-uwsgi;
              scgi_temp_path \(dir)/nginx-scgi;
              server {
                listen 127.0.0.1:\(port);
                location / { return 200 "ok\\n"; }
              }
            }
            """
        try conf.write(toFile: dir + "/nginx.conf", atomically: true, encoding: .utf8)
        return try start("/usr/sbin/nginx", ["-p", dir, "-c", dir + "/nginx.conf", "-e", dir + "/nginx-error.log"], environment: [:], stderr: dir + "/nginx.err")
    }

    static func start(_ executable: String, _ arguments: [String], environment: [String: String], stderr: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        FileManager.default.createFile(atPath: stderr, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderr))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func runTool(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func waitForPort(_ port: Int) -> Bool {
        for _ in 0..<200 {
            if (try? get(port: port, path: "/healthz")) != nil { return true }
            usleep(50_000)
        }
        return false
    }

    /// A GET's body (Connection: close, so the server closes).
    static func get(port: Int, path: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else { throw CocoaError(.fileReadUnknown) }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw CocoaError(.fileReadUnknown) }
        return String(text[split.upperBound...])
    }

    static func countLines(_ path: String) throws -> Int {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return data.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
    }

    static func jsonObject(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }
}

/// User + system CPU of processes, from /proc (Linux): threads included.
enum ProcessCPU {
    static func seconds(_ pids: [Int32]) -> Double {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return pids.reduce(0.0) { total, pid in
            guard let fields = statFields(pid), fields.count > 12,
                  let user = Double(fields[11]), let system = Double(fields[12]) else { return total }
            return total + (user + system) / ticks
        }
    }

    /// The direct children of a process (nginx's workers).
    static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { statFields($0).map { $0.count > 1 && $0[1] == String(parent) } ?? false }
    }

    /// /proc/PID/stat after the command's closing parenthesis: field 3 (state) onwards.
    private static func statFields(_ pid: Int32) -> [String]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ").map(String.init)
    }
}
