import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Identity whatever the bytes (issue 9): an escaped NUL is valid JSON and valid UTF-8, and every
/// text of the store is bound and read by its byte length, so split runs give exactly what one
/// clean run gives.
@Suite struct HostileBytesTests {
    /// `\u0000` (a JSON escape: the line holds no raw NUL) in every text field, plus a control and a
    /// format character; every line carries its receivedAt so two runs agree on every time too.
    static let lines: [String] = {
        func at(_ second: Int) -> (String, String) { ("receivedAt", "\"2026-11-30T10:00:\(String(format: "%02d", second))Z\"") }
        let nul = "\\u0000"
        return [
            webhookLine("ORDER-77", user: "u\(nul)x", extra: [at(1), ("message", "\"m\(nul)1\""), ("eventId", "\"e\(nul)1\""),
                                                         ("psp_transaction_id", "\"psp\(nul)\""), ("merchantReference", "\"ref\(nul)\"")]),
            webhookLine("ORDER-77\(nul)", user: "u\(nul)x", extra: [at(2), ("message", "\"\\u001b[31m\\u202e\"")]),
            webhookLine("ORDER-77\(nul)", "Approved", user: "u\(nul)x", extra: [at(3), ("message", "\"ok\(nul)\"")]),
            // the same eventId as the first line's: a duplicate only if the id survived whole
            webhookLine("ORDER-77", "Declined", user: "u\(nul)x", extra: [at(4), ("eventId", "\"e\(nul)1\"")]),
            // the same eventId up to the NUL: not a duplicate
            webhookLine("ORDER-77", "Approved", user: "u\(nul)x", extra: [at(5), ("eventId", "\"e\"")]),
            webhookLine("\(nul)", user: "\(nul)", extra: [at(6)]),
            // the provider's raw status and the error code with a NUL
            webhookLine("ORDER-78", "Declined", extra: [at(7), ("status", "\"DECL\(nul)INED\""), ("errorCode", "\"PSP\(nul)X\"")]),
        ]
    }()

    /// Lines no JSON reader may accept, kept as rejected lines with their bytes: invalid UTF-8,
    /// a raw control byte and a raw NUL inside a string.
    static let rejectedLines: [[UInt8]] = [
        Array("{\"transaction_id\":\"bad".utf8) + [0xFF, 0xFE] + Array("\"}".utf8),
        Array("{\"transaction_id\":\"c".utf8) + [0x01] + Array("\"}".utf8),
        Array("{\"transaction_id\":\"n".utf8) + [0x00] + Array("x\"}".utf8),
    ]

    /// The log: the lines above, the rejected ones between them.
    static var log: [[UInt8]] {
        var all = lines.map { Array($0.utf8) }
        for (index, bytes) in rejectedLines.enumerated() { all.insert(bytes, at: 2 + 2 * index) }
        return all
    }

    /// Everything the store holds, every text as hex (the sqlite3 tool prints text as C strings);
    /// an event's texts are its raw line's (v4), read back through `tx show` below.
    func content(_ cli: CLIHarness) throws -> String {
        try cli.sql("""
            SELECT seq, hex(id), hex(user_id), status, hex(raw_status), hex(message), hex(psp_id), hex(merchant_ref), flags, event_count,
                   first_seen_at, updated_at FROM tx ORDER BY seq;
            SELECT tx_seq, line, received_at, duplicate, late, hex(notes), hex(raw) FROM event ORDER BY id;
            SELECT line, offset, code, hex(message), hex(raw), raw_length FROM rejected ORDER BY id;
            """)
    }

    @Test func splitRunsEqualOneCleanRunWithNULsInEveryField() throws {
        let whole = try CLIHarness()
        let split = try CLIHarness()
        defer { whole.cleanup(); split.cleanup() }
        #expect(FileManager.default.createFile(atPath: whole.events, contents: Data(Self.log.map { $0 + [0x0A] }.joined())))
        #expect(try whole.run(["ingest"]).status == 0)
        #expect(FileManager.default.createFile(atPath: split.events, contents: nil))
        for line in Self.log {
            try split.append(Data(line + [0x0A]))
            let result = try split.run(["ingest"])
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(try content(split) == content(whole))
        #expect(try split.sql("SELECT count(*) FROM rejected") == "3\n")
        let declined = try #require(try split.json(["tx", "show", "ORDER-78", "--json"]) as? [String: Any])
        #expect(declined["raw_status"] as? String == "DECL\u{0}INED" && declined["errorCode"] as? String == "PSP\u{0}X")
        let listed = try split.run(["tx", "list", "--json"])
        #expect(listed.stdout == (try whole.run(["tx", "list", "--json"])).stdout)

        // Four transactions: ORDER-78, ␀, ORDER-77␀ and ORDER-77; the one-byte-longer id is its own.
        let rows = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as! [[String: Any]]
        #expect(rows.map { $0["transaction_id"] as! String } == ["ORDER-78", "\u{0}", "ORDER-77\u{0}", "ORDER-77"])
        let plain = rows[3]
        #expect(plain["status"] as? String == "Approved")  // Declined (a duplicate by eventId) changed nothing
        #expect(plain["event_count"] as? Int == 3)
        #expect(plain["user_id"] as? String == "u\u{0}x")
        #expect(plain["psp_transaction_id"] as? String == "psp\u{0}")
        #expect(plain["merchantReference"] as? String == "ref\u{0}")
        #expect((plain["flags"] as? [String]) == [])  // the user read back whole: no MISMATCH
        let nul = rows[2]
        #expect(nul["status"] as? String == "Approved")
        #expect(nul["message"] as? String == "ok\u{0}")
        let shown = try split.json(["tx", "show", "ORDER-77", "--json"]) as! [String: Any]
        let events = shown["events"] as! [[String: Any]]
        // Every event's texts, re-derived from its raw line, as one clean run reads them (the
        // two harnesses' log paths differ, so `file` is left out).
        let wholeEvents = (try whole.json(["tx", "show", "ORDER-77", "--json"]) as! [String: Any])["events"] as! [[String: Any]]
        func texts(_ events: [[String: Any]]) -> [String] {
            events.map { e in ["transaction_status", "status", "message", "errorCode", "receivedAt"].map { "\(e[$0] ?? "nil")" }.joined(separator: "|") }
        }
        #expect(texts(events) == texts(wholeEvents))
        #expect(events.map { $0["duplicate"] as! Bool } == [false, true, false])
        // The message re-derived from the raw line, whole.
        #expect(events.first?["message"] as? String == "m\u{0}1")
    }

    /// A table on a terminal shows a NUL as a visible placeholder, never as a cut or a raw byte.
    @Test func aNULIsShownNotCutInTheTable() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        try cli.writeLog([Self.lines[1]])
        #expect(try cli.run(["ingest"]).status == 0)
        let table = try cli.run(["tx", "list"]).stdout
        #expect(table.contains("ORDER-77␀"))
        #expect(!table.utf8.contains(0) && !table.utf8.contains(0x1B))
    }
}
