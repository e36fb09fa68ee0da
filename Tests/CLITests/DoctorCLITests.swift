import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The README's "Running it for a team", run as written (its own names and folders swapped for
/// this run's) with real users and groups, then broken point by point: `doctor` names each
/// problem, and the commands it prints, run, make it pass again.
@Suite(.serialized) struct DoctorCLITests {
    /// The service user and the two groups of one run: unique names, removed after.
    struct Team {
        let tag = UUID().uuidString.prefix(6).lowercased()
        var service: String { "cd-s\(tag)" }
        var ops: String { "cd-o\(tag)" }
        var support: String { "cd-r\(tag)" }
        let engineer: TemporaryUser
        let supporter: TemporaryUser
        let cli: CLIHarness
        var data: String { cli.directory.appendingPathComponent("data").path }
        var log: String { cli.directory.appendingPathComponent("log").path }
        var db: String { data + "/console.db" }
        var key: String { data + "/console.key" }
        var events: String { log + "/webhook-events.jsonl" }

        init() throws {
            cli = try CLIHarness()
            engineer = try TemporaryUser()
            supporter = try TemporaryUser()
        }

        func remove() {
            for attempt in 0..<20 where TemporaryUser.run(["/usr/sbin/userdel", service]) != 0 && getpwnam(service) != nil { usleep(UInt32(100_000 * (attempt + 1))) }
            engineer.remove()
            supporter.remove()
            for group in [ops, support] {
                for attempt in 0..<20 where getgrnam(group) != nil && TemporaryUser.run(["/usr/sbin/groupdel", group]) != 0 { usleep(UInt32(100_000 * (attempt + 1))) }
            }
            cli.cleanup()
        }

        /// The README's block with this run's names and folders on its first two lines.
        func readmeLayout() throws -> String {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
            let section = try #require(readme.components(separatedBy: "\n## Running it for a team\n").dropFirst().first)
            let block = try #require(section.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "\n```").first)
            var lines = block.components(separatedBy: "\n")
            let settings = try #require(lines.firstIndex { $0.hasPrefix("SERVICE=") })
            let people = try #require(lines.firstIndex { $0.hasPrefix("ENGINEERS=") })
            #expect(lines.contains { $0.hasPrefix("cleo-console doctor ") }, "the block ends with doctor")
            lines[settings] = "SERVICE=\(service) OPS=\(ops) SUPPORT=\(support) DATA=\(data) LOG=\(log)"
            lines[people] = "ENGINEERS=\(engineer.name) SUPPORTERS=\(supporter.name)"
            return lines.joined(separator: "\n")
        }

        /// Runs `script` with bash as root, the binary's folder first on PATH (the README calls
        /// `cleo-console` by name). useradd and groupadd fail while another test holds
        /// /etc/passwd's lock: a failed run is tried again (every command of the block is idempotent).
        @discardableResult
        func bash(_ script: String, attempts: Int = 1) throws -> CLIHarness.Result {
            var result = CLIHarness.Result(status: -1, stdout: "", stderr: "")
            for attempt in 0..<attempts {
                let process = cli.process([])
                process.executableURL = URL(fileURLWithPath: "/bin/bash")
                process.arguments = ["-euo", "pipefail", "-c", script]
                var environment = process.environment ?? [:]
                environment["PATH"] = URL(fileURLWithPath: CLIHarness.binary).deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
                process.environment = environment
                result = try cli.capture(process)
                if result.status == 0 { break }
                usleep(UInt32(200_000 * (attempt + 1)))
            }
            return result
        }

        func doctor() throws -> CLIHarness.Result {
            try cli.run(["doctor", "--db", db, "--events", events, "--service-user", service, "--ops-group", ops, "--support-group", support])
        }

        /// The commands doctor printed, in order.
        static func fixes(_ report: String) -> [String] {
            report.components(separatedBy: "\n").filter { $0.hasPrefix("      ") }.map { String($0.dropFirst(6)) }
        }
    }

    @Test func theREADMELayoutPassesAndEachBreakageIsNamedWithACommandThatFixesIt() throws {
        let team = try Team()
        defer { team.remove() }
        let built = try team.bash(try team.readmeLayout(), attempts: 5)
        #expect(built.status == 0, "the README's block: \(built.stdout) \(built.stderr)")
        #expect(built.stdout.contains("every point holds"), "\(built.stdout)")
        #expect(try team.doctor().status == 0)
        // The first key, set by an engineer, is the engineer's and owner-only: serve could not read it.
        let set = try team.cli.run(as: team.engineer.name, ["config", "set", "chileApiKey"], stdin: ConfigCLITests.chile, db: team.db, events: team.events)
        #expect(set.status == 0, "an engineer writes on this layout: \(set.stderr)")
        let first = try team.doctor()
        #expect(first.status == 78)
        #expect(first.stdout.contains("FIX   key file \(team.key): owned by \(team.engineer.name):\(team.ops), wants \(team.service):\(team.ops); mode 0600, wants 0640"), "\(first.stdout)")
        try expectFixed(team, first)

        let breakages: [(what: String, script: String, says: String)] = [
            ("key file 0644", "chmod 0644 \(team.key)", "key file \(team.key): mode 0644, wants 0640: every user of this host may read it"),
            ("key group support", "chgrp \(team.support) \(team.key)", "owned by \(team.service):\(team.support), wants \(team.service):\(team.ops)"),
            ("key readable by support's access list", "setfacl -m g:\(team.support):r \(team.key)", "its access list also lets g:\(team.support):r-- in"),
            ("a symlinked key file", "mv \(team.key) \(team.key).real && ln -s \(team.key).real \(team.key)", "is a symbolic link (to \(team.key).real)"),
            ("database not group-writable", "chmod 0640 \(team.db)", "database \(team.db): mode 0640, wants 0660"),
            ("-shm closed to support", "setfacl -x g:\(team.support) \(team.db)-shm", "the readers' group \(team.support) cannot read it"),
            ("lock owner-only", "chmod 0600 \(team.db).lock", "lock file \(team.db).lock: mode 0600, wants 0660"),
            ("log folder shut to ops", "chmod 2700 \(team.log)", "events log folder \(team.log): mode 2700, wants 2750"),
            ("log folder root's", "chown root \(team.log)", "owned by root:\(team.ops), wants \(team.service):\(team.ops)"),
            ("data folder not setgid", "chmod g-s \(team.data)", "database folder \(team.data): mode 0770, wants 2770"),
            ("data folder setuid", "chmod u+s \(team.data)", "database folder \(team.data): mode 6770, wants 2770"),
            ("service user out of ops", "gpasswd -d \(team.service) \(team.ops)", "service user \(team.service): is not in the group \(team.ops)"),
            ("support group gone", "groupdel \(team.support)", "group \(team.support): does not exist"),
            ("an inherited entry on the data folder", "setfacl -d -m u:\(team.supporter.name):rw \(team.data)",
             "database folder \(team.data): its default access list (what every file made in it inherits) gives"),
            ("a folder above writable by the support group", "chgrp \(team.support) \(team.cli.directory.path) && chmod g+w \(team.cli.directory.path)",
             "folder \(team.cli.directory.path): is writable by the group \(team.support)"),
        ]
        for breakage in breakages {
            let broken = try team.bash(breakage.script, attempts: 5)
            #expect(broken.status == 0, "\(breakage.what): \(broken.stderr)")
            let report = try team.doctor()
            #expect(report.status == 78, "\(breakage.what): \(report.status) \(report.stdout)")
            #expect(report.stdout.contains(breakage.says), "\(breakage.what): \(report.stdout)")
            if breakage.what == "key file 0644" {
                #expect(report.stderr.contains("warning: the key file \(team.key) is open to every user of this host (mode 644)"), "\(report.stderr)")
                let console = try team.cli.run(["tx", "list", "--db", team.db, "--events", team.events])
                #expect(console.stderr.contains("warning: the key file \(team.key) is open to every user"), "the console warns too: \(console.stderr)")
            }
            try expectFixed(team, report, breakage.what)
            if breakage.what == "a symlinked key file" {
                // The link went aside, its target untouched: the key is put back by hand, as a person would.
                #expect(report.stdout.contains("never copied"), "\(report.stdout)")
                #expect(try team.bash("mv -T -n \(team.key).real \(team.key)").status == 0)
                #expect(try team.doctor().status == 0)
            }
        }
        // Still a layout the team can use: the support user reads, and may not write.
        try team.bash("usermod -aG \(team.support) \(team.supporter.name)", attempts: 5)
        let list = try team.cli.run(as: team.supporter.name, ["tx", "list"], db: team.db, events: team.events)
        #expect(list.status == 0, "support's tx list: \(list.stderr)")
        #expect(list.stderr.isEmpty, "no warning, no error: \(list.stderr)")
        for arguments in [["config", "set", "webhookUrl", "https://evil.example/hook"], ["config", "export"]] {
            let refused = try team.cli.run(as: team.supporter.name, arguments, db: team.db, events: team.events)
            #expect(refused.status == 77, "\(arguments): \(refused.status) \(refused.stderr)")
            #expect(refused.stderr.contains("support may not"), "\(arguments): \(refused.stderr)")
        }
        let copy = try team.bash("runuser -u \(team.supporter.name) -- cat \(team.key)")
        #expect(copy.status != 0, "support never reads the key file")
        #expect(try team.doctor().status == 0, "nothing a reader did changed the layout")
    }

    @Test func aSupportUserGetsAWorkingReadOnlyConsoleOnTheREADMELayout() throws {
        let team = try Team()
        let tmux = Tmux()
        defer { tmux.kill(); team.remove() }
        let built = try team.bash(try team.readmeLayout(), attempts: 5)
        #expect(built.status == 0, "the README's block: \(built.stdout) \(built.stderr)")
        // serve's part, as the service user: a delivery in the log (0640, as serve makes it), applied.
        let line = webhookLine("tx-team-1")
        #expect(try team.bash("umask 0027 && printf '%s\\n' '\(line)' | runuser -u \(team.service) -- tee \(team.events) >/dev/null && runuser -u \(team.service) -- cleo-console ingest --db \(team.db) --events \(team.events)").status == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: team.data).sorted()
        // The support user may not read the events log's folder: the console shows the database.
        tmux.start("exec /usr/sbin/runuser -u \(team.supporter.name) -- env TZ=UTC LANG=C.UTF-8 TERM=xterm-256color \(CLIHarness.binary) --db \(team.db) --events \(team.events)")
        let screen = tmux.waitFor("tx-team-1")
        #expect(screen.contains("\(team.supporter.name) (support, read-only)"), "\(screen)")
        #expect(!screen.contains("failed") && !screen.contains("rror") && !screen.contains("denied"), "\(screen)")
        tmux.keys("q")
        #expect(try FileManager.default.contentsOfDirectory(atPath: team.data).sorted() == files, "nothing created")
        #expect(try team.doctor().status == 0)
    }

    /// A path with terminal escapes reaches the screen sanitised, and the commands name it
    /// exactly (`$'…'`); a user who may not look at a point gets 77, not a pass.
    @Test func hostilePathsPrintSafelyAndAPointNobodyMayLookAtIsNotAPass() throws {
        let cli = try CLIHarness()
        let outsider = try TemporaryUser()
        defer { outsider.remove(); cli.cleanup() }
        let hostile = cli.directory.appendingPathComponent("x\u{1B}[31m\u{202E}'d").path
        let report = try cli.run(["doctor", "--db", hostile + "/console.db", "--events", cli.directory.path + "/log/e.jsonl"])
        #expect(report.status == 78, "\(report.stdout) \(report.stderr)")
        #expect(!report.stdout.utf8.contains(0x1B) && !report.stdout.contains("\u{202E}"), "\(report.stdout)")
        #expect(report.stdout.contains("x␛[31m⟨U+202E⟩'d"), "the path, made visible: \(report.stdout)")
        #expect(report.stdout.contains("$'\(cli.directory.path)/x\\x1b[31m\\xe2\\x80\\xae\\'d'"), "\(report.stdout)")
        // The folder the outsider may not enter: nothing in it can be looked at.
        let closed = cli.directory.appendingPathComponent("closed").path
        try FileManager.default.createDirectory(atPath: closed, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let blind = try cli.run(as: outsider.name, ["doctor", "--service-user", "root", "--ops-group", "root", "--support-group", "root"],
                                db: closed + "/console.db", events: closed + "/e.jsonl")
        #expect(blind.status != 0, "never a pass: \(blind.stdout)")
        #expect(blind.stdout.contains("??    database \(closed)/console.db: Permission denied (not checked: run doctor as root)"), "\(blind.stdout)")
    }

    /// A file of root's outside the layout, that the fixes must never touch: its owner, mode,
    /// access list and bytes, as `stat` and `getfacl` show them.
    struct Bait {
        let path: String
        init(in directory: String) throws {
            path = directory + "/shadow-bait"
            try "root:secret-hash-\(UUID().uuidString)\n".write(toFile: path, atomically: false, encoding: .utf8)
            #expect(chmod(path, 0o600) == 0 && chown(path, 0, 0) == 0)
        }
        var contents: String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        func state(_ team: Team) throws -> String {
            try team.bash("stat -c '%u %g %a' -- \(path) && getfacl -cp -- \(path) && sha256sum -- \(path)").stdout
        }
    }

    /// The commands run one by one, a failure not stopping the next (as a person pasting them).
    func runEach(_ team: Team, _ fixes: [String]) throws {
        _ = try team.bash("set +e\n" + fixes.map { $0 + " || true" }.joined(separator: "\n"))
    }

    /// A writer (cleo-ops may write the data folder) links a point to root's file: the fix moves
    /// the link aside and never copies its target into the layout (the old `cp` pasted it).
    @Test func aPointLinkedToRootsFileIsMovedAsideNeverCopied() throws {
        let team = try Team()
        defer { team.remove() }
        #expect(try team.bash(try team.readmeLayout(), attempts: 5).status == 0)
        let bait = try Bait(in: team.cli.directory.path)
        let before = try bait.state(team)
        #expect(try team.bash("ln -sfT \(bait.path) \(team.db)-wal").status == 0)
        let report = try team.doctor()
        #expect(report.status == 78)
        #expect(report.stdout.contains("database's -wal \(team.db)-wal: is a symbolic link (to \(bait.path))"), "\(report.stdout)")
        let fixes = Team.fixes(report.stdout)
        #expect(!fixes.contains { $0.contains(bait.path) }, "\(fixes)")
        let ran = try team.bash(fixes.joined(separator: "\n"), attempts: 1)
        #expect(ran.status == 0, "\(fixes) → \(ran.stderr)")
        #expect(try bait.state(team) == before, "root's file untouched")
        let copies = try team.bash("grep -rlF -- \("'" + bait.contents.trimmingCharacters(in: .newlines) + "'") \(team.data) \(team.log) || true")
        #expect(copies.stdout.isEmpty, "the target copied into the layout: \(copies.stdout)")
        #expect(try team.doctor().status == 0)
    }

    /// Between the report and root's paste a writer swaps each point the fixes touch for a link to
    /// root's file: the commands (chown, setfacl, chmod) leave that file as it was.
    @Test func fixesRunAfterAPointIsSwappedForALinkLeaveRootsFileAlone() throws {
        let team = try Team()
        defer { team.remove() }
        #expect(try team.bash(try team.readmeLayout(), attempts: 5).status == 0)
        let bait = try Bait(in: team.cli.directory.path)
        let before = try bait.state(team)
        let shm = team.db + "-shm", lock = team.db + ".lock"
        let broken = try team.bash("chown root \(shm) \(lock) && setfacl -x g:\(team.support) \(shm) && chmod 0600 \(shm) \(lock)")
        #expect(broken.status == 0, "\(broken.stderr)")
        let report = try team.doctor()
        #expect(report.status == 78)
        let fixes = Team.fixes(report.stdout)
        #expect(fixes.contains { $0.hasPrefix("chown") } && fixes.contains { $0.contains("setfacl") } && fixes.contains { $0.contains("chmod") }, "\(fixes)")
        for point in [shm, lock] {
            #expect(try team.bash("mv -T \(point) \(point).real && ln -sT \(bait.path) \(point)").status == 0)
        }
        try runEach(team, fixes)
        #expect(try bait.state(team) == before, "after \(fixes)")
        #expect(try team.bash("stat -c '%U %G' -- \(bait.path)").stdout == "root root\n")
    }

    /// An access list longer than any fixed buffer (tmpfs keeps 700 entries) is read whole: the
    /// old 4096 bytes got ERANGE and called it "no access list", a pass.
    @Test func aLongAccessListIsReadWholeNotTakenAsNone() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        let root = "/dev/shm/cleo-doctor-\(UUID().uuidString)"
        let data = root + "/data"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let key = data + "/console.key"
        FileManager.default.createFile(atPath: key, contents: Data("k".utf8))
        let entries = (0..<700).map { "u:\(300_000 + $0):r" }.joined(separator: ",")
        let set = Process()
        set.executableURL = URL(fileURLWithPath: "/usr/bin/setfacl")
        set.arguments = ["-m", entries, key]
        try set.run()
        set.waitUntilExit()
        #expect(set.terminationStatus == 0)
        let report = try cli.run(["doctor", "--db", data + "/console.db", "--events", root + "/log/e.jsonl"])
        #expect(report.status == 78, "\(report.stdout)")
        #expect(report.stdout.contains("key file \(key):") && report.stdout.contains("its access list also lets u:300000:r--, u:300001:r--"), "\(report.stdout)")
    }

    /// Runs the commands `report` printed and expects doctor to pass afterwards.
    func expectFixed(_ team: Team, _ report: CLIHarness.Result, _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws {
        let fixes = Team.fixes(report.stdout)
        #expect(!fixes.isEmpty, "\(what): no fix printed: \(report.stdout)", sourceLocation: sourceLocation)
        let ran = try team.bash(fixes.joined(separator: "\n"), attempts: 5)
        #expect(ran.status == 0, "\(what): \(fixes) → \(ran.stderr)", sourceLocation: sourceLocation)
        let after = try team.doctor()
        #expect(after.status == 0, "\(what): after \(fixes): \(after.stdout)", sourceLocation: sourceLocation)
    }
}
