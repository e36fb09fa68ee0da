import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// serve.md, "What the console shows", for the support user of "Running it for a team": serve
/// runs as the service user, and the console of a user who reads the database only through the
/// support group's access-list entry shows serve receiving. serve's state file was 0640 with the
/// ops group: support, who is not in it, never saw serve's state.
@Suite(.serialized) struct SupportSeesServeTests {
    @Test func aSupportUsersConsoleShowsServeReceivingOnTheREADMELayout() throws {
        let team = try DoctorCLITests.Team()
        let tmux = Tmux()
        defer { tmux.kill(); team.remove() }
        let built = try team.bash(try team.readmeLayout(), attempts: 5)
        #expect(built.status == 0, "the README's block: \(built.stdout) \(built.stderr)")
        // The README's serve section: the service user (admin, the database's creator) sets the
        // webhook and runs serve.
        let set = try team.cli.run(as: team.service, ["config", "set", "webhookUrl", "https://ops.example.com/hooks/cleo"], db: team.db, events: team.events)
        #expect(set.status == 0, "\(set.stderr)")
        let serve = try ServeProcess(team.cli, ["--db", team.db, "--events", team.events], user: team.service)
        defer { serve.stop() }
        #expect(try RawHTTP.post(port: serve.port, webhookLine("tx-support-sees")).status == 200)

        tmux.start("exec /usr/sbin/runuser -u \(team.supporter.name) -- env TZ=UTC LANG=C.UTF-8 TERM=xterm-256color \(CLIHarness.binary) --db \(team.db) --events \(team.events)",
                    width: 120)
        // The status line keeps "serve receiving" beside the read-only reason; the Events screen says the rest.
        let frame = tmux.waitFor("· serve receiving", seconds: 15)
        #expect(frame.contains("tx-support-sees"), "\(frame)")
        #expect(frame.contains("\(team.supporter.name) (support, read-only)"), "\(frame)")
        tmux.keys("3")
        let events = tmux.waitFor("receiving on http://127.0.0.1:\(serve.port)")
        #expect(events.contains("receiving on http://127.0.0.1:\(serve.port) · not secured"), "\(events)")
        tmux.keys("q")
        // The state file has the database's read access: the support group's entry, nothing writable.
        let state = try team.bash("getfacl -cp -- \(team.db).serve-state && stat -c '%a %U %G' -- \(team.db).serve-state")
        #expect(state.stdout.contains("group:\(team.support):r--") && state.stdout.contains("640 \(team.service) \(team.ops)"), "\(state.stdout)")
        let doctor = try team.doctor()
        #expect(doctor.status == 0 && doctor.stdout.contains("ok    serve's state file \(team.db).serve-state: the database's read access"), "\(doctor.stdout)")
    }
}
