import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// issue 10's lists through the real binary: several statuses at once with counts per value,
/// `:export FILE` (the same CSV as `tx list --csv`, odd files refused, support may export), and
/// the CLI's table whole when piped and fitted on a terminal.
@Suite(.serialized) struct ListsTmuxTests {
    func consoleCommand(_ cli: CLIHarness) -> String {
        "env TZ=UTC LANG=C.UTF-8 TERM=xterm-256color CLEO_CONSOLE_DB=\(cli.db) CLEO_CONSOLE_EVENTS=\(cli.events) \(CLIHarness.binary)"
    }

    func count(_ cli: CLIHarness, _ sql: String) throws -> Int {
        Int(try cli.sql(sql).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    func palette(_ tmux: Tmux, _ command: String) {
        tmux.keys(":")
        tmux.type(command)
        tmux.keys("Enter")
    }

    @Test func severalStatusesAtOnceWithCountsPerValueAndAnUnknownOneRefused() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        #expect(try cli.run(["demo", "--count", "400", "--rate", "0", "--seed", "11"]).status == 0)
        #expect(try cli.run(["ingest"]).status == 0)
        let final = try count(cli, "SELECT count(*) FROM tx WHERE status IN ('Approved', 'Declined')")
        let pending = try count(cli, "SELECT count(*) FROM tx WHERE status = 'Pending'")
        #expect(final > 0 && pending > 0)
        tmux.start(consoleCommand(cli), width: 132, height: 30)
        tmux.waitFor("row 1 of ")
        palette(tmux, "status approved,declined")
        var screen = tmux.waitFor("row 1 of \(TransactionsScreenText.grouped(final)) matching")
        #expect(screen.contains("filter: status=Approved,Declined"), "\(screen)")
        let rows = screen.split(separator: "\n").dropFirst(4).prefix(20)
        #expect(!rows.contains { $0.contains("◌ Pending") }, "\(screen)")
        #expect(rows.contains { $0.contains("✓ Approved") } || rows.contains { $0.contains("✗ Declined") })
        // A word that names no status: said, and the filter stays.
        palette(tmux, "status approved,aproved")
        screen = tmux.waitFor("aproved is not a status")
        #expect(screen.contains("row 1 of \(TransactionsScreenText.grouped(final)) matching"), "\(screen)")
        // The panel: each status with how many it would show.
        tmux.keys("f")
        screen = tmux.waitFor("[x] ✓ Approved")
        let line = { (label: String) in screen.split(separator: "\n").first { $0.contains(label) }.map(String.init) ?? "" }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, !line("◌ Pending").contains(TransactionsScreenText.grouped(pending)) {
            usleep(50_000)
            screen = tmux.screen()
        }
        #expect(line("[ ] ◌ Pending").contains(TransactionsScreenText.grouped(pending)), "\(screen)")
        let approved = try count(cli, "SELECT count(*) FROM tx WHERE status = 'Approved'")
        #expect(line("[x] ✓ Approved").contains(TransactionsScreenText.grouped(approved)), "\(screen)")
        // Space on Pending adds it: all three is every transaction.
        tmux.keys("Space")
        let all = try count(cli, "SELECT count(*) FROM tx")
        tmux.waitFor("row 1 of \(TransactionsScreenText.grouped(all))")
    }

    @Test func exportWritesTheFilteredListAsTxListCSVAndRefusesOddFiles() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        #expect(try cli.run(["demo", "--count", "300", "--rate", "0", "--seed", "12"]).status == 0)
        #expect(try cli.run(["ingest"]).status == 0)
        tmux.start(consoleCommand(cli), width: 132, height: 30)
        tmux.waitFor("row 1 of ")
        palette(tmux, "status declined,pending")
        let expected = try count(cli, "SELECT count(*) FROM tx WHERE status IN ('Declined', 'Pending')")
        tmux.waitFor("row 1 of \(TransactionsScreenText.grouped(expected)) matching")
        let out = cli.directory.appendingPathComponent("export.csv").path
        palette(tmux, "export \(out)")
        tmux.waitFor("exported \(TransactionsScreenText.grouped(expected)) transactions to \(out)")
        let csv = try cli.run(["tx", "list", "--csv", "--status", "declined,pending", "--limit", "0"])
        #expect(csv.status == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == csv.stdout)
        // There already: asked; n keeps it, y replaces it.
        try "mine\n".write(toFile: out, atomically: false, encoding: .utf8)
        palette(tmux, "export \(out)")
        tmux.waitFor("that file exists — replace it?")
        tmux.keys("n")
        tmux.waitFor("export cancelled")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "mine\n")
        palette(tmux, "export \(out)")
        tmux.waitFor("that file exists — replace it?")
        tmux.keys("y")
        tmux.waitFor("exported \(TransactionsScreenText.grouped(expected)) transactions")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == csv.stdout)
        // A symbolic link at FILE is not followed; a folder is said.
        let target = cli.directory.appendingPathComponent("precious").path
        try "precious\n".write(toFile: target, atomically: false, encoding: .utf8)
        let link = cli.directory.appendingPathComponent("link.csv").path
        symlink(target, link)
        palette(tmux, "export \(link)")
        tmux.waitFor("is a symbolic link: not followed")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious\n")
        palette(tmux, "export \(cli.directory.path)")
        tmux.waitFor("is a folder")
        palette(tmux, "export")
        tmux.waitFor(":export needs a file name")
    }

    /// roles.md: support may export; the operating system's refusal is said as such.
    @Test func aSupportUserExportsWhereTheyMayWriteAndIsToldWhereTheyMayNot() throws {
        let cli = try CLIHarness()
        let user = try TemporaryUser()
        let tmux = Tmux()
        defer { tmux.kill(); user.remove(); cli.cleanup() }
        try cli.writeLog([webhookLine("tx-support-1"), webhookLine("tx-support-2", "Approved")])
        #expect(try cli.run(["ingest"]).status == 0)
        chmod(cli.directory.path, 0o755)
        for suffix in ["", "-wal", "-shm"] { chmod(cli.db + suffix, 0o644) }
        chmod(cli.events, 0o644)
        let mine = cli.directory.appendingPathComponent("support").path
        try FileManager.default.createDirectory(atPath: mine, withIntermediateDirectories: false)
        chown(mine, user.uid, 0)
        tmux.start("exec /usr/sbin/runuser -u \(user.name) -- " + consoleCommand(cli), width: 160, height: 30)
        tmux.waitFor("tx-support-2")
        palette(tmux, "export \(cli.directory.path)/root-owned.csv")
        tmux.waitFor("export failed: no permission to write in \(cli.directory.path) — nothing written")
        #expect(!FileManager.default.fileExists(atPath: cli.directory.path + "/root-owned.csv"))
        palette(tmux, "export \(mine)/list.csv")
        tmux.waitFor("exported 2 transactions to \(mine)/list.csv")
        let text = try String(contentsOfFile: mine + "/list.csv", encoding: .utf8)
        #expect(text.hasPrefix("transaction_id,method,status") && text.contains("tx-support-1"))
    }

    @Test func theCLITableIsWholeWhenPipedAndFitsATerminal() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        let user = "a-very-long-user-identifier-" + String(repeating: "x", count: 40) + "-end"
        let id = "tx-" + String(repeating: "7", count: 50) + "-whole"
        try cli.writeLog([webhookLine(id, "Declined", user: user, extra: [("errorCode", "\"INVALID_PSP_CREDENTIALS\"")])])
        #expect(try cli.run(["ingest"]).status == 0)
        // A pipe: every value whole.
        let piped = try cli.run(["tx", "list"])
        #expect(piped.status == 0)
        let row = piped.stdout.split(separator: "\n").first { $0.contains("tx-") }.map(String.init) ?? ""
        #expect(row.contains(id) && row.contains(user) && row.contains("INVALID_PSP_CREDENTIALS"), "\(piped.stdout)")
        #expect(!row.contains("…"))
        // A terminal of 80 columns: the line fits (cut with … where it must), nothing wraps.
        tmux.start("env TZ=UTC LANG=C.UTF-8 CLEO_CONSOLE_DB=\(cli.db) CLEO_CONSOLE_EVENTS=\(cli.events) \(CLIHarness.binary) tx list; sleep 30", width: 80, height: 24)
        let screen = tmux.waitFor("1 shown")
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        let shown = try #require(lines.firstIndex { $0.contains("tx-") })
        #expect(lines[shown].contains("…"), "\(screen)")
        // The row did not wrap onto the next line: that one is the footer.
        #expect(lines[shown + 1].contains("1 shown"), "\(screen)")
        #expect(lines[shown].contains("Declined"))
    }
}
