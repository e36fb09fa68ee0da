import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Runs the real `cleo-console` binary against real files in a temporary folder.
struct CLIHarness {
    let directory: URL
    var db: String { directory.appendingPathComponent("console.db").path }
    var events: String { directory.appendingPathComponent("webhook-events.jsonl").path }
    var keyFile: String { directory.appendingPathComponent("console.key").path }

    static var binary: String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("cleo-console").path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/cleo-console").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[1]
    }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(at: directory) }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The binary with `--db`/`--events` given by the environment (so options after the
    /// subcommand stay the test's own), in UTC.
    func process(_ arguments: [String], environment extra: [String: String] = [:]) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["CLEO_CONSOLE_DB"] = db
        environment["CLEO_CONSOLE_EVENTS"] = events
        environment["TZ"] = "UTC"
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        return process
    }

    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:]) throws -> Result {
        try capture(process(arguments, environment: extra), stdin: stdin)
    }

    /// Runs `process` to its end with `stdin` written to it; its output and status.
    func capture(_ process: Process, stdin: String? = nil) throws -> Result {
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        // The throwing write: Foundation's legacy `write(_:)` traps on an error (a child that
        // exited without reading, a descriptor gone), which ended the whole test run once.
        if let stdin { try input.fileHandleForWriting.write(contentsOf: Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Starts the binary without waiting (for kill and follow tests); `output` collects its
    /// standard output and error. As `user` (its uid, primary gid and groups; `setpriv` execs,
    /// so the process is the binary itself and a signal reaches it) when given.
    func start(_ arguments: [String], output: String? = nil, user: String? = nil) throws -> Process {
        let process = process(arguments)
        if let user, let entry = getpwnam(user) {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=\(entry.pointee.pw_uid)", "--regid=\(entry.pointee.pw_gid)", "--init-groups", Self.binary] + arguments
        }
        if let output {
            FileManager.default.createFile(atPath: output, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    func writeLog(_ lines: [String]) throws {
        try (lines.map { $0 + "\n" }.joined()).write(toFile: events, atomically: false, encoding: .utf8)
    }

    func append(_ text: String, to path: String? = nil) throws {
        try append(Data(text.utf8), to: path)
    }

    func append(_ data: Data, to path: String? = nil) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path ?? events))
        try handle.seekToEnd()
        handle.write(data)
        try handle.close()
    }

    /// Runs SQL through the sqlite3 tool (the tests read the database as an outsider would).
    func sql(_ query: String, db path: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path ?? db, query]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// The follower's count of applied lines (-1 before its first commit).
    func linesApplied() throws -> Int {
        Int(try sql("SELECT lines_applied FROM follower").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    func json(_ arguments: [String]) throws -> Any {
        let result = try run(arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    /// Everything ingestion decided, without times: what two runs must agree on.
    func content(db path: String? = nil) throws -> String {
        try sql("""
            SELECT seq, id, method, user_id, amount, currency, country, status, raw_status, error_code, message, psp_id, merchant_ref, flags, event_count FROM tx ORDER BY seq;
            SELECT e.id, t.id, f.path, e.line, e.offset, e.received_at IS NULL, e.duplicate, e.late, e.notes, hex(e.raw)
                FROM event e JOIN tx t ON t.seq = e.tx_seq JOIN event_file f ON f.id = e.file_id ORDER BY e.id;
            SELECT count(*) FROM event_legacy;
            SELECT file, line, offset, code, message, raw_length FROM rejected ORDER BY id;
            SELECT offset, next_line, lines_applied, events, duplicates, late, rejected, blank FROM follower;
            """, db: path)
    }
}

/// A valid line; `fields` override or add JSON fragments.
func webhookLine(_ id: String, _ status: String = "Pending", user: String = "u1", amount: String = "\"1000\"", currency: String = "CLP",
                 method: String = "CLEO_PAYIN", extra: [(String, String)] = []) -> String {
    var fields: [(String, String)] = [
        ("transaction_id", "\"\(id)\""), ("method", "\"\(method)\""), ("transaction_status", "\"\(status)\""),
        ("status", "\"\(status.uppercased())\""), ("user_id", "\"\(user)\""), ("amount", amount), ("currency", "\"\(currency)\""),
    ]
    for (key, value) in extra {
        if let index = fields.firstIndex(where: { $0.0 == key }) { fields[index].1 = value } else { fields.append((key, value)) }
    }
    return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
}

/// Waits until `condition` holds, polling every 20 ms; records an issue when `seconds` pass.
func waitFor(_ condition: () throws -> Bool, seconds: Double = 20, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return }
        usleep(20_000)
    }
    Issue.record("timed out waiting", sourceLocation: sourceLocation)
}
