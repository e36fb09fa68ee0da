import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real operating-system user made for one test (we run as root in CI) and removed after.
struct TemporaryUser {
    let name = "cleo-t-" + UUID().uuidString.prefix(8).lowercased()

    init() throws {
        // useradd fails while another holds /etc/passwd's lock (other tests make users too): retry.
        for attempt in 0..<20 {
            if Self.run(["/usr/sbin/useradd", "-M", "-N", "-s", "/usr/sbin/nologin", name]) == 0 { return }
            usleep(UInt32(100_000 * (attempt + 1)))
        }
        throw CocoaError(.fileWriteUnknown)
    }

    func remove() {
        // Until it succeeds once (a `where` on the loop ran userdel 20 times, sleeping 21 s after each removal).
        for attempt in 0..<20 {
            if Self.run(["/usr/sbin/userdel", name]) == 0 { return }
            usleep(UInt32(100_000 * (attempt + 1)))
        }
    }

    var uid: uid_t { getpwnam(name)?.pointee.pw_uid ?? 0 }

    @discardableResult
    static func run(_ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

@Suite struct ReadOnlyAndPromptTests {
    /// A user who may only read the database could not open it at all (`attempt to write a readonly database`).
    @Test func aUserWhoMayOnlyReadTheDatabaseCanRunEveryReadCommand() throws {
        let cli = try CLIHarness()
        let user = try TemporaryUser()
        defer { user.remove(); cli.cleanup() }
        try cli.configureAll()
        try cli.writeLog([webhookLine("tx-ro-1"), "not json"])
        #expect(try cli.run(["ingest"]).status == 0)
        chmod(cli.directory.path, 0o755)
        for suffix in ["", "-wal", "-shm"] { chmod(cli.db + suffix, 0o644) }
        let before = try FileManager.default.contentsOfDirectory(atPath: cli.directory.path).sorted()
        let modified = try FileManager.default.attributesOfItem(atPath: cli.db)[.modificationDate] as? Date
        let reads: [([String], String)] = [
            (["tx", "list"], "tx-ro-1"), (["tx", "list", "--json"], "tx-ro-1"), (["tx", "show", "tx-ro-1"], "tx-ro-1"),
            (["config", "show"], "https://merchant.example/hooks/cleo"), (["config", "show", "--json"], "••••aaaa"),
            (["config", "history"], "webhookUrl"), (["events", "rejected"], "INVALID_JSON"),
        ]
        for (arguments, expected) in reads {
            let result = try cli.run(["/usr/sbin/runuser", "-u", user.name, "--", CLIHarness.binary] + arguments + ["--db", cli.db, "--events", cli.events],
                                     asCommand: true)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(result.stdout.contains(expected), "\(arguments): \(result.stdout)")
            #expect(!result.stderr.contains("readonly"), "\(arguments): \(result.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.directory.path).sorted() == before, "nothing created")
        #expect(try FileManager.default.attributesOfItem(atPath: cli.db)[.modificationDate] as? Date == modified, "nothing written")
    }

    /// Opening always took the write lock: a read failed after 10 s while another process wrote.
    @Test func readsDoNotWaitForAnotherProcesssWriteLock() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        #expect(try cli.run(["config", "set", "webhookUrl", "https://merchant.example/"]).status == 0)
        let lock = try WriteLockHolder(db: cli.db)
        defer { lock.release() }
        for arguments in [["tx", "list"], ["config", "show"], ["config", "history"], ["events", "rejected"]] {
            let start = Date()
            let result = try cli.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(Date().timeIntervalSince(start) < 5, "\(arguments) waited \(Date().timeIntervalSince(start)) s")
        }
    }

    /// Not dumpable: the process's /proc entries belong to root, and another process of the same
    /// user cannot read its memory or environment (the "curious reader").
    @Test func anotherProcessOfTheSameUserCannotReadAConfigCommandsMemory() throws {
        let cli = try CLIHarness()
        let user = try TemporaryUser()
        defer { user.remove(); cli.cleanup() }
        chmod(cli.directory.path, 0o777)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        process.arguments = ["-u", user.name, "--", "/bin/sh", "-c", "echo $$; exec \"$0\" config set chileApiKey --db \"$1\"", CLIHarness.binary, cli.db]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let pid = Int32(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(pid > 0)
        // wait until it is the binary (exec done) and has started
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, ((try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? "") != "cleo-console\n" { usleep(20_000) }
        usleep(200_000)
        var info = stat()
        #expect(stat("/proc/\(pid)/environ", &info) == 0)
        #expect(info.st_uid == 0, "/proc/\(pid) belongs to uid \(info.st_uid), not root: the process is dumpable")
        let limits = (try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)) ?? ""
        let core = limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") }.map(String.init) ?? ""
        #expect(Array(core.split(separator: " ").dropFirst(4).prefix(2)) == ["0", "0"], "\(core)")
        let peek = TemporaryUser.run(["/usr/sbin/runuser", "-u", user.name, "--", "/bin/cat", "/proc/\(pid)/environ"])
        #expect(peek != 0, "the same user read the process's environment")
    }

    /// The console holds the keys it shows masked and the ones typed into its editor: no core either.
    @Test func theConsoleRunsWithCoreDumpsOff() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        tmux.start("exec env TZ=UTC LANG=C.UTF-8 TERM=xterm-256color CLEO_CONSOLE_DB=\(cli.db) CLEO_CONSOLE_EVENTS=\(cli.events) \(CLIHarness.binary)")
        tmux.waitFor("1 Transactions")
        let pid = tmux.run(["display-message", "-p", "-t", "main", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect((try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) == "cleo-console\n")
        let limits = (try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)) ?? ""
        let core = limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") }.map(String.init) ?? ""
        #expect(Array(core.split(separator: " ").dropFirst(4).prefix(2)) == ["0", "0"], "\(core)")
        tmux.keys("q")
    }

    /// Ctrl-C at the no-echo secret prompt left the terminal without echo.
    @Test func ctrlCAtTheSecretPromptGivesTheTerminalItsEchoBack() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        let sttyFile = cli.directory.appendingPathComponent("stty.txt").path
        // sh without job control and with a trap (reset to default in the child): the shell
        // survives the Ctrl-C and reports the terminal as the console left it.
        let script = "trap : INT; env CLEO_CONSOLE_DB=\(cli.db) \(CLIHarness.binary) config set chileApiKey; stty -a > \(sttyFile); echo STTY-DONE; sleep 30"
        tmux.start("sh -c '\(script)'")
        tmux.waitFor("chileApiKey:")
        tmux.type("sk_half_typ")
        tmux.keys("C-c")
        tmux.waitFor("STTY-DONE")
        let settings = ((try? String(contentsOfFile: sttyFile, encoding: .utf8)) ?? "").split(whereSeparator: { $0 == " " || $0 == ";" || $0 == "\n" })
        #expect(settings.contains("echo") && !settings.contains("-echo"), "\(settings.filter { $0.contains("echo") })")
        #expect(!tmux.screen().contains("sk_half_typ"))
        #expect(try cli.sql("SELECT count(*) FROM config WHERE chileApiKey IS NOT NULL") != "1\n")
    }
}

extension CLIHarness {
    /// Runs `arguments[0]` itself (not the binary), in the harness's environment.
    func run(_ arguments: [String], asCommand: Bool) throws -> Result {
        let process = process([], environment: [:])
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        return try capture(process)
    }
}
