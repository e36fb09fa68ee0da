import CleoDomain
import Foundation
import Testing

/// Random and mutated lines: the scanner never crashes, and wherever it and Foundation's
/// `JSONSerialization` both accept a line, they agree on the object's string members.
@Suite struct StrictJSONFuzzTests {
    typealias SplitMix64 = DemoFeed.Generator

    static let seeds: [String] = [
        line(), line([("message", "\"caf\\u00e9\""), ("eventId", "\"e1\"")]), "{\"a\":[1,2,{\"b\":null}],\"c\":\"\\ud83d\\ude00\"}",
        "[true,false,null,-0.5e+3]", "{\"k\":\"v\",\"k\":\"w\"}",
    ]

    @Test func mutatedLinesNeverCrashAndAgreeWithFoundation() throws {
        var rng = SplitMix64(seed: 0xC1E0)
        let alphabet = Array("{}[]\":,\\ntrufalse0123456789.-+eE \t\u{7F}aé😀".utf8) + [0x00, 0xFF, 0xC3, 0x80, 0xED]
        var agreed = 0
        for round in 0..<20_000 {
            var bytes = Array(Self.seeds[round % Self.seeds.count].utf8)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let position = Int.random(in: 0...bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0 where !bytes.isEmpty && position < bytes.count: bytes.remove(at: position)
                case 1: bytes.insert(alphabet.randomElement(using: &rng)!, at: position)
                default: if position < bytes.count { bytes[position] = alphabet.randomElement(using: &rng)! }
                }
            }
            let ours: JSONValue? = bytes.withUnsafeBufferPointer { buffer in
                guard UTF8Validation.firstInvalidOffset(buffer) == nil else { return nil }
                return try? StrictJSONParser.parse(buffer)
            }
            _ = WebhookLineParser.parse(bytes)  // must not crash
            guard let ours, case .object(let object) = ours else { continue }
            guard let theirs = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                // Foundation refuses what we accept only for duplicate keys or deep nesting.
                continue
            }
            for (key, value) in theirs {
                if let text = value as? String, case .string(let mine)? = object[key] {
                    #expect(mine == text, "key \(key) in \(String(decoding: bytes, as: UTF8.self))")
                    agreed += 1
                }
            }
        }
        #expect(agreed > 1000)
    }

    /// `parseMembers` (the line parser's path: keys never made Strings, values straight into
    /// slots) says exactly what `parse` says: the same error at the same byte, the same non-object
    /// value, and for an object each slot holding its key's last value (`null`: empty).
    @Test func slotsAgreeWithTheFullParse() throws {
        let keys = ["transaction_id", "message", "k", "a", "eventId", "c", "\u{7F}"]
        let slotOf: (UnsafeBufferPointer<UInt8>) -> Int? = { key in keys.firstIndex { $0.utf8.elementsEqual(key) } }
        let seeds = Self.seeds + ["{\"k\":\"v\",\"k\":null}", "{\"tr\\u0061nsaction_id\":\"x\",\"k\":1,\"k\":[2]}", "{\"m\\\"\":{\"k\":1},\"a\":\"\\n\"}"]
        var rng = SplitMix64(seed: 0x5107)
        let alphabet = Array("{}[]\":,\\nu0061ktrue \t".utf8) + [0x00, 0x1F]
        var objects = 0
        for round in 0..<20_000 {
            var bytes = Array(seeds[round % seeds.count].utf8)
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                let position = Int.random(in: 0...bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0 where !bytes.isEmpty && position < bytes.count: bytes.remove(at: position)
                case 1: bytes.insert(alphabet.randomElement(using: &rng)!, at: position)
                default: if position < bytes.count { bytes[position] = alphabet.randomElement(using: &rng)! }
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let full = Result { () throws(JSONSyntaxError) in try StrictJSONParser.parse(bytes) }
            var slots = [JSONValue?](repeating: nil, count: keys.count)
            let direct = bytes.withUnsafeBufferPointer { buffer in
                slots.withUnsafeMutableBufferPointer { slots in
                    Result { () throws(JSONSyntaxError) in try StrictJSONParser.parseMembers(buffer, slotOf: slotOf, into: slots) }
                }
            }
            switch (full, direct) {
            case let (.failure(a), .failure(b)):
                #expect(a == b, "\(text)")
            case let (.success(.object(object)), .success(nil)):
                objects += 1
                for (index, key) in keys.enumerated() {
                    #expect(slots[index] == object[key], "\(key) in \(text)")
                }
            case let (.success(value), .success(other?)):
                if case .object = value { Issue.record("an object returned as a value: \(text)") }
                #expect(value == other, "\(text)")
            default:
                Issue.record("full \(full) but direct \(direct): \(text)")
            }
        }
        #expect(objects > 2_000)
    }

    @Test func randomBytesNeverCrash() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<5_000 {
            let count = Int.random(in: 0..<200, using: &rng)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = WebhookLineParser.parse(bytes)
        }
    }

    @Test func everythingWeAcceptFoundationAcceptsToo() {
        for text in ["{\"a\":-0.0e-0}", "{\"a\":[[],{}]}", "{\"\\u0000\":\"\\u001f\"}", " {\"x\" : \"y\" } ", "{\"a\":1E+2}"] {
            #expect((try? StrictJSONParser.parse(Array(text.utf8))) != nil, "\(text)")
            #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil, "\(text)")
        }
    }

    @Test func deepNestingIsRefusedNotCrashed() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONSyntaxError.self) { try StrictJSONParser.parse(Array(deep.utf8)) }
        #expect(rejectionCode("{\"a\":" + deep + "}") == .invalidJSON)
    }

    @Test func numbersKeepTheirLiteralText() throws {
        #expect(try StrictJSONParser.parse(Array("12.345".utf8)) == .number("12.345"))
        #expect(try StrictJSONParser.parse(Array("1e400".utf8)) == .number("1e400"))
    }
}
