import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension CLIHarness {
    /// Runs `script` with `sh -c`, the binary as `$0` (redirections the harness cannot make:
    /// `>&-`, `> /dev/full`).
    func shell(_ script: String, stdin: String? = nil, environment extra: [String: String] = [:]) throws -> Result {
        let process = process([], environment: extra)
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script, Self.binary]
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    func configureAll() throws {
        for (field, value) in [("chileApiKey", ConfigCLITests.chile), ("peruApiKey", ConfigCLITests.peru), ("mexicoApiKey", ConfigCLITests.mexico)] {
            #expect(try run(["config", "set", field], stdin: value).status == 0)
        }
        #expect(try run(["config", "set", "customerExternalKeyForCleo", "ext-merchant-42"]).status == 0)
        #expect(try run(["config", "set", "webhookUrl", "https://merchant.example/hooks/cleo"]).status == 0)
    }

    func exports() throws -> Int {
        let history = try json(["config", "history", "--json"]) as! [[String: Any]]
        return history.filter { $0["result"] as? String == "exported" }.count
    }
}

/// Issue 11, "Secrets that survive faults and a curious reader": each test fails on the code
/// before the fix.
@Suite struct SecretsFaultTests {
    /// `config export > /dev/full` and a closed stdout died with SIGILL (132) and were audited as exported.
    @Test func anExportThatCannotBeWrittenIsExit74AndNotAudited() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        try cli.configureAll()
        for redirect in ["> /dev/full", ">&-"] {
            let result = try cli.shell("exec \"$0\" config export \(redirect)")
            #expect(result.status == 74, "\(redirect): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("cannot write to standard output") && result.stderr.contains("not audited"), "\(redirect): \(result.stderr)")
            #expect(!result.stderr.contains(ConfigCLITests.chile))
        }
        // a pipe whose reader is gone: EPIPE, not a silent SIGPIPE death
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        let process = cli.process(["config", "export"])
        process.standardOutput = pipe.fileHandleForWriting
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 74, "\(process.terminationReason) \(process.terminationStatus)")
        #expect(try cli.exports() == 0)
        // and a written one is audited
        #expect(try cli.run(["config", "export"]).status == 0)
        #expect(try cli.exports() == 1)
    }

    /// Every command that prints: a write error is exit 74 with a message, never a trap or a silent 0.
    @Test func everyCommandThatPrintsFailsWith74WhenStandardOutputFails() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        try cli.configureAll()
        try cli.writeLog([webhookLine("tx-1"), "not json"])
        #expect(try cli.run(["ingest"]).status == 0)
        let commands = [
            "config show", "config show --json", "config history", "config history --json", "tx list", "tx list --json", "tx list --csv",
            "tx show tx-1", "tx show tx-1 --json", "events rejected", "events rejected --json", "ingest", "--help", "config --help",
            "--version", "config set webhookUrl https://other.example/x",
        ]
        for command in commands {
            for redirect in ["> /dev/full", ">&-"] {
                let result = try cli.shell("exec \"$0\" \(command) \(redirect)")
                #expect(result.status == 74, "\(command) \(redirect): \(result.status) \(result.stderr)")
                #expect(result.stderr.contains("cannot write to standard output"), "\(command) \(redirect): \(result.stderr)")
            }
        }
    }

    /// Core dumps off (`RLIMIT_CORE` 0 in `/proc/PID/limits`; not dumpable: see
    /// `ReadOnlyAndPromptTests.anotherProcessOfTheSameUserCannotReadAConfigCommandsMemory`).
    @Test func processesThatMayHoldASecretHaveNoCoreLimit() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        for arguments in [["config", "set", "chileApiKey"], ["ingest", "--follow"]] {
            let process = cli.process(arguments)
            let input = Pipe()
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer {
                try? input.fileHandleForWriting.close()
                process.terminate()
                process.waitUntilExit()
            }
            var core = ""
            let deadline = Date().addingTimeInterval(5)
            while Date() < deadline {
                let limits = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/limits", encoding: .utf8)) ?? ""
                core = limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") }.map(String.init) ?? ""
                if Array(core.split(separator: " ").dropFirst(4).prefix(2)) == ["0", "0"] { break }
                usleep(20_000)
            }
            #expect(Array(core.split(separator: " ").dropFirst(4).prefix(2)) == ["0", "0"], "\(arguments): \(core)")
        }
    }

    /// A refused `webhookUrl` with user-info was kept in clear; a 50 MB value wrote a 50 MB row.
    @Test func refusedValuesAreKeptBoundedAndWithoutUserInfo() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        for url in ["https://ops:Hunter2@merchant.example/hook", "https://ops:Hunter2@bad host/", "http://ops:Hunter2@merchant.example/"] {
            let result = try cli.run(["config", "set", "webhookUrl", url])
            #expect(result.status == 65)
            #expect(!result.stderr.contains("Hunter2"))
        }
        // (under the 1 MiB that `config set` reads: the harness writes it all, and a reader that
        // stopped early would end the test process with SIGPIPE)
        let huge = "https://merchant.example/" + String(repeating: "x", count: 1_000_000)
        #expect(try cli.run(["config", "set", "webhookUrl"], stdin: huge).status == 65)
        let human = try cli.run(["config", "history"]).stdout
        let json = try cli.run(["config", "history", "--json"]).stdout
        #expect(!human.contains("Hunter2") && !json.contains("Hunter2"))
        #expect(human.contains("https://•••@merchant.example/hook"))
        var files = Data()
        for suffix in ["", "-wal"] { files.append(FileManager.default.contents(atPath: cli.db + suffix) ?? Data()) }
        #expect(files.range(of: Data("Hunter2".utf8)) == nil)
        let longest = try cli.sql("SELECT max(length(new)) FROM config_audit").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect((Int(longest) ?? .max) <= 200, "longest audit value \(longest)")
        #expect(human.contains("… (1000025 characters)"))
    }

    /// A database written before the fix keeps refused values whole: the next writer rewrites them.
    @Test func refusedValuesKeptWholeByAnEarlierVersionAreRewritten() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        #expect(try cli.run(["config", "show"]).status == 0)
        _ = try cli.sql("""
            INSERT INTO config_audit(at, user, origin, field, old, new, result, detail)
                VALUES (1, 'root', 'local', 'webhookUrl', NULL, 'https://ops:Hunter2@merchant.example/', 'refused', 'must not contain user-info');
            DELETE FROM grdb_migrations WHERE identifier = 'v2-refused-excerpts';
            """)
        #expect(try cli.run(["config", "show"]).status == 0)
        #expect(try cli.sql("SELECT new FROM config_audit") == "https://•••@merchant.example/\n")
        #expect(FileManager.default.contents(atPath: cli.db)?.range(of: Data("Hunter2".utf8)) == nil)
    }

    /// `--db $'…\e[31m…'` reached standard error raw.
    @Test func pathsAndNamesInErrorsAreSanitised() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        let blocker = cli.directory.appendingPathComponent("plain-file").path
        FileManager.default.createFile(atPath: blocker, contents: Data())
        let evil = blocker + "/\u{1B}[31mred\u{202E}/console.db"
        for arguments in [["tx", "list", "--db", evil], ["config", "show", "--db", evil], ["config", "set", "webhookUrl", "https://x.example/", "--db", evil],
                          ["tx", "list", "--bogus\u{1B}[31m"], ["config", "set", "web\u{1B}[2J"]] {
            let result = try cli.run(arguments)
            #expect(result.status != 0)
            #expect(!result.stderr.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{202E}" }, "\(arguments): \(result.stderr.debugDescription)")
            #expect(result.stderr.contains("␛["), "\(arguments): \(result.stderr)")
        }
        // a warning names the key file too
        let keyFile = cli.directory.appendingPathComponent("k\u{1B}]0;owned\u{07}.key").path
        #expect(try cli.run(["config", "set", "chileApiKey", "--key-file", keyFile], stdin: ConfigCLITests.chile).status == 0)
        chmod(keyFile, 0o644)
        let warned = try cli.run(["config", "show", "--key-file", keyFile])
        #expect(warned.stderr.contains("warning") && !warned.stderr.unicodeScalars.contains("\u{1B}"), "\(warned.stderr.debugDescription)")
    }

    /// An unknown migration or a higher `user_version` was opened and written; an unknown environment read as sandbox.
    @Test func aDatabaseFromANewerVersionIsRefusedAndLeftAlone() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        #expect(try cli.run(["config", "set", "webhookUrl", "https://merchant.example/"]).status == 0)
        for (setup, undo, says) in [
            ("INSERT INTO grdb_migrations VALUES ('v9-from-the-future')", "DELETE FROM grdb_migrations WHERE identifier = 'v9-from-the-future'", "v9-from-the-future"),
            ("PRAGMA user_version = 7", "PRAGMA user_version = 0", "user_version 7"),
        ] {
            _ = try cli.sql(setup)
            for arguments in [["config", "show"], ["tx", "list"], ["config", "set", "webhookUrl", "https://other.example/"], ["ingest"]] {
                let result = try cli.run(arguments)
                #expect(result.status == 1, "\(arguments): \(result.status)")
                #expect(result.stderr.contains("newer cleo-console") && result.stderr.contains(says), "\(arguments): \(result.stderr)")
            }
            #expect(try cli.sql("SELECT count(*) FROM config_audit") == "1\n", "nothing was written")
            _ = try cli.sql(undo)
        }
        _ = try cli.sql("UPDATE meta SET value = 'staging' WHERE key = 'environment'")
        for arguments in [["config", "show"], ["tx", "list"], ["config", "set", "webhookUrl", "https://other.example/"]] {
            let result = try cli.run(arguments)
            #expect(result.status == 1, "\(arguments): \(result.status)")
            #expect(result.stderr.contains("unknown environment \"staging\""), "\(arguments): \(result.stderr)")
        }
        #expect(try cli.sql("SELECT count(*) FROM config_audit") == "1\n")
    }

    /// A key file or database others may read was used silently.
    @Test func aKeyFileOrDatabaseOpenToOthersIsWarnedAbout() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        #expect(try cli.run(["config", "set", "chileApiKey"], stdin: ConfigCLITests.chile).status == 0)
        #expect(!(try cli.run(["config", "show"]).stderr.contains("warning")))
        chmod(cli.keyFile, 0o644)
        for arguments in [["config", "show"], ["config", "history"], ["config", "export"], ["config", "set", "webhookUrl", "https://merchant.example/"]] {
            let result = try cli.run(arguments)
            #expect(result.stderr.contains("warning: the key file \(cli.keyFile)") && result.stderr.contains("chmod o-rwx"), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("warning: the database"))
        }
        chmod(cli.keyFile, 0o640)  // the team layout: group cleo-ops may read it
        chmod(cli.db, 0o644)
        let result = try cli.run(["config", "show"])
        #expect(result.stderr.contains("warning: the database \(cli.db)") && !result.stderr.contains("key file"), "\(result.stderr)")
    }
}
