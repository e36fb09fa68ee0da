import CleoDomain
import Foundation
import Testing
@testable import CleoService

@Suite struct DeliveryLineTests {
    static let at = "2026-12-01T21:00:00.123Z"
    static let id = "7d0c2a4e-0000-4000-8000-000000000001"
    static let tail = ",\"receivedAt\":\"\(at)\",\"deliveryId\":\"\(id)\"}\n"

    func line(_ body: String) -> Result<DeliveryLine.Made, DeliveryLine.Refusal> {
        DeliveryLine.make(body: Array(body.utf8), receivedAt: Self.at, deliveryId: Self.id)
    }

    func text(_ body: String) throws -> String {
        String(decoding: try line(body).get().bytes, as: UTF8.self)
    }

    @Test func whitespaceBetweenTokensGoesEverythingElseStays() throws {
        let body = "{\n  \"transaction_id\" : \"t 1\",\r\n\t\"amount\": 100.50,\n  \"n\": -0.0e+10 ,\"esc\":\"a\\\"b\\\\\\u00e9\\n\",\n \"arr\": [ 1 , { \"k\" : null } ],\"t\":true }\n"
        #expect(try text(body) == "{\"transaction_id\":\"t 1\",\"amount\":100.50,\"n\":-0.0e+10,\"esc\":\"a\\\"b\\\\\\u00e9\\n\",\"arr\":[1,{\"k\":null}],\"t\":true" + Self.tail)
    }

    @Test func theLineIsOneLineEndedByLF() throws {
        let made = try line("{\"a\":\n1}").get().bytes
        #expect(made.filter { $0 == 0x0A }.count == 1)
        #expect(made.last == 0x0A)
    }

    @Test func keyOrderAndRepeatedKeysAreKeptAndOurMembersComeLast() throws {
        // The body's own receivedAt stays, ours comes after it and so wins (last key wins).
        #expect(try text("{\"z\":1,\"a\":2,\"z\":3,\"receivedAt\":\"2020-01-01T00:00:00Z\"}")
                == "{\"z\":1,\"a\":2,\"z\":3,\"receivedAt\":\"2020-01-01T00:00:00Z\"" + Self.tail)
        let parsed = try StrictJSONParser.parse(try line("{\"receivedAt\":\"2020-01-01T00:00:00Z\"}").get().bytes.dropLast().map { $0 })
        guard case .object(let object) = parsed else { Issue.record("not an object"); return }
        #expect(object["receivedAt"] == .string(Self.at))
    }

    @Test func anEmptyObjectGetsNoLeadingComma() throws {
        #expect(try text(" { } ") == "{" + Self.tail.dropFirst())
    }

    @Test func theTransactionIdIsReportedForTheLogLine() throws {
        #expect(try line("{\"transaction_id\":\"665f\"}").get().transactionID == "665f")
        #expect(try line("{\"transaction_id\":5}").get().transactionID == nil)
    }

    @Test(arguments: [
        ("[1,2]", "not a JSON object: the body is an array"),
        ("\"s\"", "not a JSON object: the body is a string"),
        ("{\"a\":1,}", "not strict JSON"),
        ("{\"a\":NaN}", "not strict JSON"),
        ("\u{FEFF}{}", "not strict JSON"),
        ("{\"a\":\"\\ud800\"}", "not strict JSON"),
        ("{\"a\":\"tab\there\"}", "not strict JSON"),
        ("", "not strict JSON"),
        ("{} {}", "not strict JSON"),
    ])
    func strictJSONObjectsOnly(body: String, reason: String) {
        guard case .failure(let refusal) = line(body) else { Issue.record("accepted \(body)"); return }
        #expect(refusal.reason.hasPrefix(reason), "\(refusal.reason)")
        #expect(!refusal.reason.contains("\n"))
    }

    @Test func invalidUTF8IsRefusedWithItsOffset() {
        let body: [UInt8] = Array("{\"a\":\"".utf8) + [0xC3, 0x28] + Array("\"}".utf8)
        guard case .failure(let refusal) = DeliveryLine.make(body: body, receivedAt: Self.at, deliveryId: Self.id) else { Issue.record("accepted"); return }
        #expect(refusal.reason == "invalid UTF-8 at byte 6")
    }

    @Test func aLineOverTheLogsLimitIsRefused() {
        let body = "{\"a\":\"" + String(repeating: "x", count: DeliveryLine.maximumLineBytes - 8) + "\"}"
        guard case .failure(let refusal) = line(body) else { Issue.record("accepted"); return }
        #expect(refusal.reason.contains("over the log's"))
    }

    /// Every accepted body, compacted, is the same JSON value with our two members added.
    @Test func compactingNeverChangesTheValue() throws {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["{", "}", "[", "]", ",", ":", " ", "\n", "\"a b\"", "\"\\\"\"", "1.50", "-2e3", "true", "null", "\"\\u0041\""]
        var accepted = 0
        // Random pieces make an object too rarely to count on (5,000 bodies accepted none once,
        // ~8% of runs): half are framed as an object, and a few fixed ones always are.
        let fixed = ["{}", "{ \"a b\" : 1.50 }", "{\"a b\":[true, null,-2e3],\n\"\\u0041\":{}}"]
        for index in 0..<5_000 {
            let random = (0..<Int.random(in: 2...14, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let body = index < fixed.count ? fixed[index] : index % 2 == 0 ? "{\"a b\":" + random + "}" : random
            guard case .success(let made) = line(body) else { continue }
            accepted += 1
            let original = try StrictJSONParser.parse(Array(body.utf8))
            guard case .object(var object) = original else { Issue.record("accepted a non-object"); continue }
            object.members.append(("receivedAt", .string(Self.at)))
            object.members.append(("deliveryId", .string(Self.id)))
            #expect(try StrictJSONParser.parse(Array(made.bytes.dropLast())) == .object(object), "\(body)")
        }
        #expect(accepted > 0)
    }
}
