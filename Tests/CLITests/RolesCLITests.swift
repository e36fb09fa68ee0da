import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension CLIHarness {
    /// The binary run as `user` (runuser), with `stdin` when given, `--db`/`--events` (the
    /// harness's unless given) after the subcommand.
    func run(as user: String, _ arguments: [String], stdin: String? = nil, db: String? = nil, events: String? = nil) throws -> Result {
        let process = process([], environment: [:])
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        process.arguments = ["-u", user, "--", Self.binary] + arguments + ["--db", db ?? self.db, "--events", events ?? self.events]
        return try capture(process, stdin: stdin)
    }

    /// Lets every user write the database and read the key file: only the roles stand in the way.
    func openToEveryone() {
        chmod(directory.path, 0o777)
        for suffix in ["", "-wal", "-shm", ".lock"] { chmod(db + suffix, 0o666) }
        chmod(keyFile, 0o644)
    }

    func history() throws -> [[String: Any]] {
        try json(["config", "history", "--json"]) as! [[String: Any]]
    }
}

/// roles.md with real operating-system users: the store's write path refuses what a role may not do.
@Suite(.serialized) struct RolesCLITests {
    @Test func theCreatorIsAdminAndAnUnmappedUserIsSupport() throws {
        let cli = try CLIHarness()
        let user = try TemporaryUser()
        defer { user.remove(); cli.cleanup() }
        #expect(try cli.run(["config", "set", "webhookUrl", "https://merchant.example/a"]).status == 0)
        let me = String(cString: getpwuid(getuid())!.pointee.pw_name)
        let users = try cli.json(["users", "list", "--json"]) as! [[String: Any]]
        #expect(users.count == 1)
        #expect(users.first?["user"] as? String == me)
        #expect(users.first?["role"] as? String == "admin")
        cli.openToEveryone()
        let listed = try cli.run(as: user.name, ["users", "list"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("you: \(user.name) (support)"), "\(listed.stdout)")
        // $USER is not who you are: the uid is.
        let spoofed = try cli.run(["config", "set", "webhookUrl", "https://merchant.example/b"], environment: ["USER": user.name, "LOGNAME": user.name])
        #expect(spoofed.status == 0)
    }

    @Test func supportIsRefusedEverySetAndTheExportWithExit77AndTheRefusalIsAudited() throws {
        let cli = try CLIHarness()
        let user = try TemporaryUser()
        defer { user.remove(); cli.cleanup() }
        try cli.configureAll()
        cli.openToEveryone()
        let refusals: [([String], String?)] = [
            (["config", "set", "webhookUrl", "https://evil.example/hook"], nil),
            (["config", "set", "customerExternalKeyForCleo", "ext-other"], nil),
            (["config", "set", "isWebhookSecured", "true"], nil),
            (["config", "set", "chileApiKey"], "cl-stolen-key-0000"),
            (["config", "export"], nil),
        ]
        for (arguments, stdin) in refusals {
            let result = try cli.run(as: user.name, arguments, stdin: stdin)
            #expect(result.status == 77, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("\(user.name) is not permitted: support may not"), "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(arguments): \(result.stdout)")
        }
        let show = try cli.json(["config", "show", "--json"]) as! [String: Any]
        #expect(show["webhookUrl"] as? String == "https://merchant.example/hooks/cleo")
        #expect(show["customerExternalKeyForCleo"] as? String == "ext-merchant-42")
        let theirs = try cli.history().filter { $0["user"] as? String == user.name }
        #expect(theirs.count == refusals.count)
        #expect(theirs.allSatisfy { $0["result"] as? String == "refused" && $0["new"] is NSNull })
        #expect(Set(theirs.compactMap { $0["field"] as? String }) == ["webhookUrl", "customerExternalKeyForCleo", "isWebhookSecured", "chileApiKey", "(all)"])
    }

    @Test func anEngineerSetsAndExportsButGrantsNothingAndARevokedOneIsSupportAgain() throws {
        let cli = try CLIHarness()
        let engineer = try TemporaryUser(), other = try TemporaryUser()
        defer { engineer.remove(); other.remove(); cli.cleanup() }
        try cli.configureAll()
        cli.openToEveryone()
        #expect(try cli.run(["users", "grant", engineer.name, "engineer"]).status == 0)
        let set = try cli.run(as: engineer.name, ["config", "set", "webhookUrl", "https://merchant.example/v2"])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(try cli.run(as: engineer.name, ["config", "set", "peruApiKey"], stdin: "pe-new-key-1111").status == 0)
        let export = try cli.run(as: engineer.name, ["config", "export"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains("pe-new-key-1111"))
        for arguments in [["users", "grant", other.name, "engineer"], ["users", "grant", other.name, "admin"], ["users", "revoke", engineer.name]] {
            let result = try cli.run(as: engineer.name, arguments)
            #expect(result.status == 77, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("needs the role admin"), "\(arguments): \(result.stderr)")
        }
        #expect((try cli.json(["users", "list", "--json"]) as! [[String: Any]]).count == 2)
        #expect(try cli.run(["users", "revoke", engineer.name]).status == 0)
        #expect(try cli.run(as: engineer.name, ["config", "set", "webhookUrl", "https://merchant.example/v3"]).status == 77)
        let grants = try cli.history().filter { ($0["field"] as? String)?.hasPrefix("role of ") == true }
        #expect(grants.map { $0["result"] as? String } == ["saved", "refused", "refused", "refused", "saved"])
    }

    @Test func aSupportUserWhoMayOnlyReadTheDatabaseIsRefusedAndLeavesNoRow() throws {
        let cli = try CLIHarness()
        let user = try TemporaryUser()
        defer { user.remove(); cli.cleanup() }
        try cli.configureAll()
        chmod(cli.directory.path, 0o755)
        for suffix in ["", "-wal", "-shm"] { chmod(cli.db + suffix, 0o644) }
        let before = try cli.history().count
        let files = try FileManager.default.contentsOfDirectory(atPath: cli.directory.path).sorted()
        for arguments in [["config", "set", "webhookUrl", "https://evil.example/"], ["config", "export"], ["users", "grant", user.name, "admin"]] {
            let result = try cli.run(as: user.name, arguments)
            #expect(result.status == 77, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("support may not") && result.stderr.contains("not recorded"), "\(arguments): \(result.stderr)")
        }
        #expect(try cli.history().count == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.directory.path).sorted() == files)
    }

    @Test func anEngineerTheOperatingSystemKeepsFromWritingIsRefusedWith77AndTheReason() throws {
        let cli = try CLIHarness()
        let user = try TemporaryUser()
        defer { user.remove(); cli.cleanup() }
        try cli.configureAll()
        #expect(try cli.run(["users", "grant", user.name, "engineer"]).status == 0)
        chmod(cli.directory.path, 0o755)
        for suffix in ["", "-wal", "-shm"] { chmod(cli.db + suffix, 0o644) }
        let result = try cli.run(as: user.name, ["config", "set", "webhookUrl", "https://merchant.example/other"])
        #expect(result.status == 77, "\(result.status) \(result.stderr)")
        #expect(result.stderr.contains("the operating system does not let \(user.name) write the database"), "\(result.stderr)")
        #expect((try cli.json(["config", "show", "--json"]) as! [String: Any])["webhookUrl"] as? String == "https://merchant.example/hooks/cleo")
    }

    @Test func theLastAdminStaysAndGrantsNameRealUsersAndRoles() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        #expect(try cli.run(["config", "set", "webhookUrl", "https://merchant.example/a"]).status == 0)
        let me = String(cString: getpwuid(getuid())!.pointee.pw_name)
        let last = try cli.run(["users", "revoke", me])
        #expect(last.status == 77, "\(last.stderr)")
        #expect(last.stderr.contains("last admin"))
        #expect(try cli.run(["users", "grant", me, "support"]).status == 77)
        #expect(try cli.run(["users", "grant", "nobody-\(UUID().uuidString.prefix(6))", "engineer"]).status == 65)
        #expect(try cli.run(["users", "grant", me, "owner"]).status == 64)
    }
}

@Suite struct KeyLifecycleCLITests {
    @Test func configShowSaysWhenAndByWhomEachKeyWasSetAndThePreviousFingerprint() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        #expect(try cli.run(["config", "set", "chileApiKey"], stdin: ConfigCLITests.chile).status == 0)
        let first = ((try cli.json(["config", "show", "--json"]) as! [String: Any])["fingerprints"] as! [String: Any])["chileApiKey"] as! String
        #expect(try cli.run(["config", "set", "chileApiKey"], stdin: "sk_cl_SECOND_5555eeee").status == 0)
        let show = try cli.json(["config", "show", "--json"]) as! [String: Any]
        let keys = show["keys"] as! [String: Any]
        let chile = keys["chileApiKey"] as! [String: Any]
        let me = String(cString: getpwuid(getuid())!.pointee.pw_name)
        #expect(chile["setBy"] as? String == me)
        #expect(chile["setFrom"] as? String == "local")
        #expect(chile["previousFingerprint"] as? String == first)
        #expect((chile["setAt"] as? String)?.hasSuffix("Z") == true)
        #expect(keys["peruApiKey"] is NSNull)
        let text = try cli.run(["config", "show"]).stdout
        #expect(text.contains("by \(me)@local, replaced \(first)"), "\(text)")
    }

    /// `webhookAuthorization` is a sealed secret like the keys: the same lifecycle, by the same rule.
    @Test func theWebhookAuthorizationHasTheKeysLifecycle() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        let me = String(cString: getpwuid(getuid())!.pointee.pw_name)
        #expect(try cli.run(["config", "set", "webhookAuthorization"], stdin: "Bearer first-lc-0000aaaa\n").status == 0)
        var show = try cli.json(["config", "show", "--json"]) as! [String: Any]
        var life = try #require((show["keys"] as? [String: Any])?["webhookAuthorization"] as? [String: Any])
        #expect(life["setBy"] as? String == me && life["setFrom"] as? String == "local" && life["previousFingerprint"] is NSNull)
        #expect(try cli.run(["config", "show"]).stdout.contains("by \(me)@local, the first"))
        // The text line: name, mask, fingerprint, "set" …
        let line = try #require(try cli.run(["config", "show"]).stdout.split(separator: "\n").first { $0.hasPrefix("webhookAuthorization") })
        let first = String(line.split(separator: " ")[2])
        #expect(try cli.run(["config", "set", "webhookAuthorization"], stdin: "Bearer second-lc-9999zzzz\n").status == 0)
        show = try cli.json(["config", "show", "--json"]) as! [String: Any]
        life = try #require((show["keys"] as? [String: Any])?["webhookAuthorization"] as? [String: Any])
        #expect(life["previousFingerprint"] as? String == first, "\(life) \(first)")
        let text = try cli.run(["config", "show"]).stdout
        #expect(text.contains("replaced \(first)"), "\(text)")
        #expect(!text.contains("first-lc") && !text.contains("second-lc"))
    }
}
