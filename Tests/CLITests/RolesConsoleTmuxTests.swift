import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// roles.md through the real console in tmux, as a real user who may only read the database.
@Suite(.serialized) struct RolesConsoleTmuxTests {
    @Test func aSupportUserWhoMayOnlyReadGetsAWorkingReadOnlyConsoleThatRefusesEditsWithTheReason() throws {
        let cli = try CLIHarness()
        let user = try TemporaryUser()
        let tmux = Tmux()
        defer { tmux.kill(); user.remove(); cli.cleanup() }
        try cli.configureAll()
        try cli.writeLog([webhookLine("tx-ro-first")])
        #expect(try cli.run(["ingest"]).status == 0)
        chmod(cli.directory.path, 0o755)
        for suffix in ["", "-wal", "-shm"] { chmod(cli.db + suffix, 0o644) }
        chmod(cli.events, 0o644)
        let files = try FileManager.default.contentsOfDirectory(atPath: cli.directory.path).sorted()
        let audited = try cli.history().count
        tmux.start("exec /usr/sbin/runuser -u \(user.name) -- env TZ=UTC LANG=C.UTF-8 TERM=xterm-256color CLEO_CONSOLE_DB=\(cli.db) CLEO_CONSOLE_EVENTS=\(cli.events) \(CLIHarness.binary)")
        let first = tmux.waitFor("tx-ro-first")
        #expect(first.contains("\(user.name) (support, read-only)"), "\(first)")
        #expect(first.contains("read-only: \(user.name) may not write the database"), "\(first)")
        #expect(!first.contains("failed") && !first.contains("readonly"), "\(first)")
        // A writer's commit reaches this console through its own reader connection.
        try cli.append(webhookLine("tx-ro-second") + "\n")
        #expect(try cli.run(["ingest"]).status == 0)
        tmux.waitFor("tx-ro-second")
        tmux.keys("2")
        tmux.waitFor("chileApiKey")
        tmux.keys("Enter")
        let refused = tmux.waitFor("support may not set chileApiKey: that needs the role engineer")
        #expect(!refused.contains("Edit chileApiKey"), "\(refused)")
        tmux.keys("q")
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, tmux.run(["list-panes", "-t", "main", "-F", "#{pane_dead}"]).contains("0") { usleep(50_000) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.directory.path).sorted() == files, "nothing created")
        #expect(try cli.history().count == audited, "a user who may only read leaves no row")
    }
}
