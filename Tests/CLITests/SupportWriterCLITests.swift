import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real group of the operating system that may write the harness's database (roles.md's
/// `cleo-ops`): its members can write the files, only their role keeps them from changing them.
struct WriterGroup {
    let name = "cleo-w-" + UUID().uuidString.prefix(8).lowercased()

    /// Makes the group with `members`, and gives it the database's folder (setgid, so files
    /// SQLite makes later stay the group's), the database, `-wal`, `-shm`, `.lock` and the key file.
    init(_ cli: CLIHarness, members: [TemporaryUser]) throws {
        try Self.retrying(["/usr/sbin/groupadd", name])
        for member in members { try Self.retrying(["/usr/sbin/usermod", "-aG", name, member.name]) }
        guard let gid = getgrnam(name)?.pointee.gr_gid else { throw CocoaError(.fileWriteUnknown) }
        chown(cli.directory.path, 0, gid)
        chmod(cli.directory.path, 0o2770)
        for suffix in ["", "-wal", "-shm", ".lock"] {
            chown(cli.db + suffix, 0, gid)
            chmod(cli.db + suffix, 0o660)
        }
        chown(cli.keyFile, 0, gid)
        chmod(cli.keyFile, 0o640)
    }

    func remove() {
        try? Self.retrying(["/usr/sbin/groupdel", name])
    }

    /// useradd, usermod and groupadd fail while another test holds /etc/group's lock: tried again.
    static func retrying(_ arguments: [String]) throws {
        for attempt in 0..<20 {
            if TemporaryUser.run(arguments) == 0 { return }
            usleep(UInt32(100_000 * (attempt + 1)))
        }
        throw CocoaError(.fileWriteUnknown)
    }
}

/// roles.md on the command line for a support user the operating system lets write the database
/// (in the writers' group, with no role): every change is refused with exit 77 and the reason, and
/// each refusal is audited as `refused`, its value never recorded.
@Suite(.serialized) struct SupportWriterCLITests {
    @Test func aSupportUserInTheWritersGroupMayNotSetWebhookAuthorizationAndTheRefusalIsAudited() throws {
        let cli = try CLIHarness()
        let support = try TemporaryUser()
        try cli.configureAll()
        let group = try WriterGroup(cli, members: [support])
        defer { group.remove(); support.remove(); cli.cleanup() }
        let secret = "Bearer support-should-not-7777"
        let result = try cli.run(as: support.name, ["config", "set", "webhookAuthorization"], stdin: secret)
        #expect(result.status == 77, "\(result.status) \(result.stderr)")
        #expect(result.stderr.contains("\(support.name) is not permitted: support may not set webhookAuthorization: that needs the role engineer"),
                "\(result.stderr)")
        #expect(!result.stderr.contains("not recorded"), "this user can write the database: the refusal is kept")
        let show = try cli.json(["config", "show", "--json"]) as! [String: Any]
        #expect(show["webhookAuthorization"] is NSNull, "nothing stored: \(show["webhookAuthorization"] ?? "")")
        let theirs = try cli.history().filter { $0["user"] as? String == support.name }
        #expect(theirs.count == 1, "\(theirs)")
        #expect(theirs.first?["field"] as? String == "webhookAuthorization")
        #expect(theirs.first?["result"] as? String == "refused")
        #expect(theirs.first?["new"] is NSNull, "no value recorded for a refusal by role")
        #expect(!(try cli.run(["config", "history", "--json"]).stdout.contains("support-should-not")))

        // An engineer in the same group may set it.
        let engineer = try TemporaryUser()
        defer { engineer.remove() }
        try WriterGroup.retrying(["/usr/sbin/usermod", "-aG", group.name, engineer.name])
        #expect(try cli.run(["users", "grant", engineer.name, "engineer"]).status == 0)
        let set = try cli.run(as: engineer.name, ["config", "set", "webhookAuthorization"], stdin: secret)
        #expect(set.status == 0, "\(set.stderr)")
        #expect((try cli.json(["config", "show", "--json"]) as! [String: Any])["webhookAuthorization"] is String)
    }

    @Test func aSupportUserWhoMayOnlyReadIsRefusedWebhookAuthorizationWith77AndLeavesNoRow() throws {
        let cli = try CLIHarness()
        let support = try TemporaryUser()
        defer { support.remove(); cli.cleanup() }
        try cli.configureAll()
        chmod(cli.directory.path, 0o755)
        for suffix in ["", "-wal", "-shm"] { chmod(cli.db + suffix, 0o644) }
        let before = try cli.history().count
        let result = try cli.run(as: support.name, ["config", "set", "webhookAuthorization"], stdin: "Bearer read-only-5555")
        #expect(result.status == 77, "\(result.status) \(result.stderr)")
        #expect(result.stderr.contains("support may not set webhookAuthorization") && result.stderr.contains("not recorded"), "\(result.stderr)")
        #expect(try cli.history().count == before)
    }

    @Test func aSupportUserInTheWritersGroupIsRefusedEveryGrantAndRevokeWith77AndEachIsAudited() throws {
        let cli = try CLIHarness()
        let support = try TemporaryUser(), other = try TemporaryUser()
        try cli.configureAll()
        #expect(try cli.run(["users", "grant", other.name, "engineer"]).status == 0)
        let group = try WriterGroup(cli, members: [support])
        defer { group.remove(); support.remove(); other.remove(); cli.cleanup() }
        let me = String(cString: getpwuid(getuid())!.pointee.pw_name)
        let users = try cli.json(["users", "list", "--json"]) as! [[String: Any]]
        let attempts: [([String], String)] = [
            (["users", "grant", support.name, "admin"], "support may not grant the role admin: that needs the role admin"),
            (["users", "grant", support.name, "engineer"], "support may not grant the role engineer: that needs the role admin"),
            (["users", "grant", other.name, "support"], "support may not grant the role support: that needs the role admin"),
            (["users", "revoke", other.name], "support may not revoke a role: that needs the role admin"),
            (["users", "revoke", me], "support may not revoke a role: that needs the role admin"),
        ]
        for (arguments, reason) in attempts {
            let result = try cli.run(as: support.name, arguments)
            #expect(result.status == 77, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("\(support.name) is not permitted: \(reason)"), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("not recorded"), "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(arguments): \(result.stdout)")
        }
        #expect(NSArray(array: try cli.json(["users", "list", "--json"]) as! [[String: Any]]) == NSArray(array: users), "no role changed")
        let theirs = try cli.history().filter { $0["user"] as? String == support.name }
        #expect(theirs.map { $0["field"] as? String } == ["role of \(support.name)", "role of \(support.name)", "role of \(other.name)",
                                                          "role of \(other.name)", "role of \(me)"], "\(theirs)")
        #expect(theirs.allSatisfy { $0["result"] as? String == "refused" && $0["new"] is NSNull }, "\(theirs)")
        let text = try cli.run(["config", "history"]).stdout.components(separatedBy: "\n").filter { $0.contains(support.name + "@") }
        #expect(text.count == attempts.count && zip(text, attempts).allSatisfy { $0.hasSuffix("refused (\($1.1))") }, "\(text)")
    }
}
