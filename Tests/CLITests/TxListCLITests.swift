import Foundation
import Testing

@Suite struct TxListCLITests {
    func seeded() throws -> CLIHarness {
        let cli = try CLIHarness()
        try cli.writeLog([
            webhookLine("cl-1", "Approved", user: "ana", amount: "\"5000\"", currency: "CLP", extra: [("psp_transaction_id", "\"psp-aa\"")]),
            webhookLine("pe-1", "Declined", user: "lucia", amount: "\"12.50\"", currency: "PEN", method: "CLEO_PAYOUT", extra: [("errorCode", "\"PSP_TIMEOUT\"")]),
            webhookLine("mx-1", "Pending", user: "sofia", amount: "\"100.00\"", currency: "MXN", extra: [("merchantReference", "\"=HYPERLINK(\\\"x\\\")\"")]),
            webhookLine("cl-2", "Pending", user: "ana", amount: "\"7000\"", currency: "CLP"),
            webhookLine("cl-1", "Declined", user: "ana", amount: "\"5000\"", currency: "CLP"),
            webhookLine("evil\\u001b]0;pwned\\u0007", "Pending", user: "x\u{202E}y", amount: "\"1\"", currency: "MXN", extra: [("message", "\"\\u001b[2J\\u009b31m\"")]),
        ])
        #expect(try cli.run(["ingest"]).status == 0)
        return cli
    }

    func ids(_ cli: CLIHarness, _ arguments: [String]) throws -> [String] {
        (try cli.json(["tx", "list", "--json"] + arguments) as! [[String: Any]]).map { $0["transaction_id"] as! String }
    }

    @Test func filtersStackAndStayNewestFirst() throws {
        let cli = try seeded()
        defer { cli.cleanup() }
        #expect(try ids(cli, []) == ["evil\u{1B}]0;pwned\u{07}", "cl-2", "mx-1", "pe-1", "cl-1"])
        #expect(try ids(cli, ["--status", "pending"]) == ["evil\u{1B}]0;pwned\u{07}", "cl-2", "mx-1"])
        #expect(try ids(cli, ["--country", "CL"]) == ["cl-2", "cl-1"])
        #expect(try ids(cli, ["--currency", "PEN"]) == ["pe-1"])
        #expect(try ids(cli, ["--method", "PAYOUT"]) == ["pe-1"])
        #expect(try ids(cli, ["--user", "ana"]) == ["cl-2", "cl-1"])
        #expect(try ids(cli, ["--user", "an"]) == [])  // exact
        #expect(try ids(cli, ["--search", "cl-"]) == ["cl-2", "cl-1"])
        #expect(try ids(cli, ["--search", "psp-a"]) == ["cl-1"])
        #expect(try ids(cli, ["--search", "luc"]) == ["pe-1"])
        #expect(try ids(cli, ["--search", "=HYPER"]) == ["mx-1"])
        #expect(try ids(cli, ["--flagged"]) == ["cl-1"])
        #expect(try ids(cli, ["--status", "Pending", "--country", "CL"]) == ["cl-2"])
        #expect(try ids(cli, ["--limit", "2"]).count == 2)
        #expect(try ids(cli, ["--limit", "0"]).count == 5)
        #expect(try ids(cli, ["--since", "2000-01-01"]).count == 5)
        #expect(try ids(cli, ["--until", "2000-01-01"]).isEmpty)
        #expect(try ids(cli, ["--since", "2999-01-01T00:00:00Z"]).isEmpty)
        #expect(try ids(cli, ["--overdue"]).isEmpty)  // just seen: not overdue yet
        #expect(try ids(cli, ["--overdue", "0", "--country", "MX"]).count == 2)
        #expect(try cli.run(["tx", "list", "--status", "Refunded"]).status == 64)
        #expect(try cli.run(["tx", "list", "--since", "yesterday"]).status == 64)
    }

    /// "The first non-empty seen" reaches the row, across runs too: an empty first value was
    /// kept for good (issue 9), and the rule alone is unit-tested in `TransactionRulesTests`.
    @Test func aPspIdAndReferenceFilledInLaterAreSavedToTheRow() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        try cli.writeLog([webhookLine("FILL-1", extra: [("psp_transaction_id", "\"\""), ("merchantReference", "\"\"")])])
        #expect(try cli.run(["ingest"]).status == 0)
        try cli.append(webhookLine("FILL-1", "Approved", extra: [("psp_transaction_id", "\"cleo-42\""), ("merchantReference", "\"Ord-9\"")]) + "\n")
        try cli.append(webhookLine("FILL-1", "Approved", extra: [("psp_transaction_id", "\"cleo-43\""), ("merchantReference", "\"Ord-10\"")]) + "\n")
        #expect(try cli.run(["ingest"]).status == 0)
        let rows = try #require(try cli.json(["tx", "list", "--json"]) as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["psp_transaction_id"] as? String == "cleo-42")
        #expect(rows.first?["merchantReference"] as? String == "Ord-9")
        // Found by the psp id filled in later, as a search does.
        let found = try #require(try cli.json(["tx", "list", "--search", "CLEO-4", "--json"]) as? [[String: Any]])
        #expect(found.count == 1)
    }

    @Test func theJSONShapeFollowsTheContract() throws {
        let cli = try seeded()
        defer { cli.cleanup() }
        let row = (try cli.json(["tx", "list", "--json", "--search", "pe-1"]) as! [[String: Any]])[0]
        #expect(Set(row.keys) == ["transaction_id", "method", "status", "raw_status", "errorCode", "message", "amount", "currency", "country",
                                  "user_id", "psp_transaction_id", "merchantReference", "flags", "event_count", "first_seen_at", "updated_at"])
        #expect(row["amount"] as? String == "12.50")
        #expect(row["method"] as? String == "CLEO_PAYOUT")
        #expect((row["first_seen_at"] as? String)?.hasSuffix("Z") == true)  // TZ=UTC
        #expect(try cli.run(["tx", "show", "nope"]).status == 1)
    }

    @Test func noControlCharacterFromTheDataReachesTheOutput() throws {
        let cli = try seeded()
        defer { cli.cleanup() }
        for arguments in [["tx", "list"], ["tx", "list", "--json"], ["tx", "list", "--csv"], ["tx", "show", "evil\u{1B}]0;pwned\u{07}"]] {
            let result = try cli.run(arguments)
            let bad = result.stdout.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) || $0.value == 0x202E }
            #expect(bad.isEmpty, "\(arguments): \(bad.map { String($0.value, radix: 16) })")
        }
        // the JSON still carries the data faithfully
        let json = try cli.json(["tx", "list", "--json", "--search", "evil"]) as! [[String: Any]]
        #expect(json.first?["message"] as? String == "\u{1B}[2J\u{9B}31m")
        #expect(json.first?["user_id"] as? String == "x\u{202E}y")
    }

    @Test func csvIsSafeAgainstFormulaInjection() throws {
        let cli = try seeded()
        defer { cli.cleanup() }
        let csv = try cli.run(["tx", "list", "--csv", "--search", "mx-1"]).stdout
        #expect(csv.contains(",\"'=HYPERLINK(\"\"x\"\")\","))
        #expect(csv.hasPrefix("transaction_id,method,status"))
    }
}
