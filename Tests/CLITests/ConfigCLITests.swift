import Foundation
import Testing

@Suite struct ConfigCLITests {
    static let chile = "sk_cl_SECRET_1111aaaa"
    static let peru = "sk_pe_SECRET_2222bbbb"
    static let mexico = "sk_mx_SECRET_3333cccc"

    func configure(_ cli: CLIHarness) throws {
        #expect(try cli.run(["config", "set", "chileApiKey"], stdin: Self.chile + "\n").status == 0)
        #expect(try cli.run(["config", "set", "cleoApiKey.peruApiKey"], stdin: Self.peru).status == 0)
        #expect(try cli.run(["config", "set", "mexicoApiKey"], stdin: Self.mexico + "\n").status == 0)
        #expect(try cli.run(["config", "set", "customerExternalKeyForCleo", "ext-merchant-42"]).status == 0)
        #expect(try cli.run(["config", "set", "webhookUrl", "https://merchant.example/hooks/cleo"]).status == 0)
    }

    @Test func eachRuleIsRefusedWithExit65AndNothingStored() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        let cases: [([String], String?)] = [
            (["config", "set", "webhookUrl", "http://merchant.example/hook"], nil),
            (["config", "set", "webhookUrl", "https://user:pw@merchant.example/"], nil),
            (["config", "set", "webhookUrl", "/relative"], nil),
            (["config", "set", "customerExternalKeyForCleo", "has space"], nil),
            (["config", "set", "customerExternalKeyForCleo", ""], nil),
            (["config", "set", "customerExternalKeyForCleo", String(repeating: "x", count: 257)], nil),
            (["config", "set", "isWebhookSecured", "yes"], nil),
            (["config", "set", "chileApiKey"], "key with\ttab\n"),
            (["config", "set", "peruApiKey"], "\n"),
        ]
        for (arguments, stdin) in cases {
            let result = try cli.run(arguments, stdin: stdin)
            #expect(result.status == 65, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(arguments[2]), "the message names the field: \(result.stderr)")
            #expect(result.stderr.contains("nothing was stored"))
        }
        let shown = try cli.json(["config", "show", "--json"]) as! [String: Any]
        #expect(shown["version"] as? Int == 0)
        #expect((shown["missing"] as? [String])?.count == 5)
        // every refusal is audited, a refused secret never recorded
        let history = try cli.json(["config", "history", "--json"]) as! [[String: Any]]
        #expect(history.count == cases.count)
        #expect(history.allSatisfy { $0["result"] as? String == "refused" })
        #expect(!(try cli.run(["config", "history", "--json"]).stdout.contains("key with")))
    }

    @Test func keysAreNeverTakenFromTheCommandLineAndUnknownFieldsAreUsageErrors() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        let secret = try cli.run(["config", "set", "chileApiKey", "sk_live_in_argv"])
        #expect(secret.status == 64)
        #expect(!secret.stderr.contains("sk_live_in_argv"))
        #expect(try cli.run(["config", "set", "apiKey", "x"]).status == 64)
        #expect(try cli.run(["config", "frobnicate"]).status == 64)
        #expect(try cli.run(["tx", "list", "--bogus"]).status == 64)
    }

    /// serve refuses to start secured without webhookAuthorization (exit 78): `config show` and
    /// the Config screen do not call that configuration complete, and it is not exported.
    @Test func securedWithoutWebhookAuthorizationIsIncompleteEverywhere() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        try configure(cli)
        let set = try cli.run(["config", "set", "isWebhookSecured", "true"])
        #expect(set.status == 0 && set.stdout.contains("still missing: webhookAuthorization"), "\(set.stdout)")
        let text = try cli.run(["config", "show"]).stdout
        #expect(text.contains("complete: no  missing: webhookAuthorization (isWebhookSecured is true: serve refuses to start without it)"), "\(text)")
        let shown = try cli.json(["config", "show", "--json"]) as! [String: Any]
        #expect(shown["complete"] as? Bool == false && shown["missing"] as? [String] == ["webhookAuthorization"])
        let export = try cli.run(["config", "export"])
        #expect(export.status == 65 && export.stderr.contains("missing: webhookAuthorization"), "\(export.stderr)")
        #expect(try cli.run(["config", "set", "webhookAuthorization"], stdin: "Bearer cli-0000-aaaa\n").status == 0)
        #expect(try cli.run(["config", "show"]).stdout.contains("complete: yes"))
    }

    @Test func showMasksSecretsAndSaysWhatIsMissing() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        #expect(try cli.run(["config", "set", "peruApiKey"], stdin: Self.peru).status == 0)
        let shown = try cli.json(["config", "show", "--json"]) as! [String: Any]
        #expect(shown["environment"] as? String == "sandbox")
        let keys = shown["cleoApiKey"] as! [String: Any]
        #expect(keys["peruApiKey"] as? String == "••••bbbb")
        #expect(keys["chileApiKey"] is NSNull)
        #expect(((shown["fingerprints"] as! [String: Any])["peruApiKey"] as? String)?.hasPrefix("hmac:") == true)
        #expect(shown["complete"] as? Bool == false)
        #expect(shown["missing"] as? [String] == ["chileApiKey", "mexicoApiKey", "customerExternalKeyForCleo", "webhookUrl"])
        #expect(shown["isWebhookSecured"] as? Bool == false)
        #expect(shown["version"] as? Int == 1)
        #expect(shown["updatedBy"] as? String != nil)
        let human = try cli.run(["config", "show"])
        #expect(human.stdout.contains("missing: chileApiKey, mexicoApiKey"))
        #expect(human.stdout.contains("environment: sandbox"))
    }

    @Test func secretsNeverAppearInClearInTheDatabaseItsWALOrAnyOutput() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        try configure(cli)
        #expect(try cli.run(["config", "set", "isWebhookSecured", "true"]).status == 0)
        var outputs = ""
        for arguments in [["config", "show"], ["config", "show", "--json"], ["config", "history"], ["config", "history", "--json"]] {
            let result = try cli.run(arguments)
            outputs += result.stdout + result.stderr
        }
        var files = Data()
        for suffix in ["", "-wal", "-shm"] {
            files.append(FileManager.default.contents(atPath: cli.db + suffix) ?? Data())
        }
        for secret in [Self.chile, Self.peru, Self.mexico] {
            #expect(!outputs.contains(secret))
            #expect(files.range(of: Data(secret.utf8)) == nil)
            #expect(files.range(of: Data(secret.dropLast(4).utf8)) == nil)
        }
        #expect(outputs.contains("••••1111") == false)  // the mask shows the last four: aaaa
        #expect(outputs.contains("••••aaaa"))
        // the database, the key file and their folder are owner-only
        for path in [cli.db, cli.keyFile] {
            let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? 0
            #expect(mode & 0o077 == 0, "\(path) mode \(String(mode, radix: 8))")
        }
    }

    @Test func exportIsCompleteInTheProviderShapeAuditedAndRefusedWhileIncomplete() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        #expect(try cli.run(["config", "set", "chileApiKey"], stdin: Self.chile).status == 0)
        let refused = try cli.run(["config", "export"])
        #expect(refused.status == 65)
        #expect(refused.stdout.isEmpty)
        try configure(cli)
        let exported = try cli.run(["config", "export"])
        #expect(exported.status == 0, "\(exported.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(exported.stdout.utf8)) as! [String: Any]
        #expect((object["cleoApiKey"] as! [String: String]) == ["chileApiKey": Self.chile, "peruApiKey": Self.peru, "mexicoApiKey": Self.mexico])
        #expect(object["customerExternalKeyForCleo"] as? String == "ext-merchant-42")
        #expect(object["webhookUrl"] as? String == "https://merchant.example/hooks/cleo")
        #expect(object["isWebhookSecured"] as? Bool == false)
        let history = try cli.json(["config", "history", "--json"]) as! [[String: Any]]
        #expect(history.last?["result"] as? String == "exported")
        #expect(history.first?["field"] as? String == "chileApiKey")
        #expect(history.allSatisfy { ($0["from"] as? String) == "local" || ($0["from"] as? String)?.hasPrefix("ssh ") == true })
    }

    @Test func theAuditRecordsTheSSHClientAndMasksOldAndNew() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        #expect(try cli.run(["config", "set", "chileApiKey"], stdin: Self.chile, environment: ["SSH_CONNECTION": "203.0.113.9 50000 10.0.0.1 22"]).status == 0)
        #expect(try cli.run(["config", "set", "chileApiKey"], stdin: Self.peru).status == 0)
        let history = try cli.json(["config", "history", "--json"]) as! [[String: Any]]
        #expect(history[0]["from"] as? String == "ssh 203.0.113.9")
        #expect(history[0]["old"] is NSNull)
        #expect((history[1]["old"] as? String)?.hasPrefix("••••aaaa hmac:") == true)
        #expect((history[1]["new"] as? String)?.hasPrefix("••••bbbb hmac:") == true)
        // the user comes from the uid, not from $USER
        let spoofed = try cli.run(["config", "set", "webhookUrl", "https://x.example"], environment: ["USER": "mallory", "LOGNAME": "mallory"])
        #expect(spoofed.status == 0)
        let last = (try cli.json(["config", "history", "--json"]) as! [[String: Any]]).last!
        #expect(last["user"] as? String == String(cString: getpwuid(getuid())!.pointee.pw_name))
    }

    @Test func aMissingOrWrongKeyFileIsAClearErrorAndChangesNothing() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        try configure(cli)
        try FileManager.default.moveItem(atPath: cli.keyFile, toPath: cli.keyFile + ".bak")
        let missing = try cli.run(["config", "set", "chileApiKey"], stdin: "sk_new_key_9999")
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("key file") && missing.stderr.contains("missing"))
        #expect(!FileManager.default.fileExists(atPath: cli.keyFile))  // no new key silently made
        // a different key file
        try "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n".write(toFile: cli.keyFile, atomically: false, encoding: .utf8)
        let wrong = try cli.run(["config", "export"])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("does not open"))
        #expect(wrong.stdout.isEmpty)
        let shown = try cli.json(["config", "show", "--json"]) as! [String: Any]
        #expect(shown["version"] as? Int == 5)
    }

    @Test func severalProcessesMayOpenANewDatabaseAtOnce() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        let processes = try (0..<6).map { index in
            try cli.start(index % 2 == 0 ? ["config", "show"] : ["tx", "list"])
        }
        for process in processes {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        #expect(try cli.sql("SELECT value FROM meta WHERE key = 'environment'") == "sandbox\n")
    }

    @Test func theEnvironmentIsRecordedAtCreation() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        #expect(try cli.run(["config", "show", "--environment", "production"]).status == 0)
        #expect(try cli.run(["config", "show", "--environment", "sandbox"]).stdout.contains("environment: production"))
    }
}
