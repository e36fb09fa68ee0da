/// A JSON value as strict RFC 8259 allows it. Numbers keep their literal text, so `12.345`
/// is never rounded into a binary float; objects keep every member in order (the last of a
/// repeated key wins on lookup, events-log.md).
public enum JSONValue: Sendable, Equatable {
    case string(String)
    case number(String)
    case bool(Bool)
    case null
    case object(JSONObject)
    case array([JSONValue])

    /// The JSON type's name, for messages.
    public var typeName: String {
        switch self {
        case .string: "string"
        case .number: "number"
        case .bool: "boolean"
        case .null: "null"
        case .object: "object"
        case .array: "array"
        }
    }
}

/// Object members in order; lookups compare keys byte for byte and take the last match.
public struct JSONObject: Sendable, Equatable {
    public var members: [(key: String, value: JSONValue)]

    public init(members: [(key: String, value: JSONValue)] = []) { self.members = members }

    /// The last value of `key`; a `null` counts as absent (events-log.md).
    public subscript(key: String) -> JSONValue? {
        for member in members.reversed() where member.key.utf8.elementsEqual(key.utf8) {
            if case .null = member.value { return nil }
            return member.value
        }
        return nil
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key.utf8.elementsEqual($1.key.utf8) && $0.value == $1.value }
    }
}

/// Why a byte string is not strict JSON; `offset` is where the scanner stopped.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let offset: Int
    public let reason: String
    public var description: String { "\(reason) at byte \(offset)" }
}

/// A strict RFC 8259 parser over bytes: no comments, trailing commas, `NaN`/`Infinity`,
/// byte-order mark, control characters in strings, or escapes that leave a lone surrogate.
/// The input must already be valid UTF-8 (checked separately, so the error code is right).
public struct StrictJSONParser {
    /// Nesting deeper than this is refused rather than risking the stack.
    public static let maximumDepth = 64

    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        var parser = StrictJSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.position != bytes.count { throw parser.error("unexpected text after the value") }
        return value
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        let result: Result<JSONValue, JSONSyntaxError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(JSONSyntaxError) { return .success(try parse(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Parses `bytes` as one strict JSON value, like `parse`, without building an object at the
    /// top: each member's key bytes go to `slotOf` (an escape-free key is never made a String),
    /// and a member whose key gets an index has its value stored in `slots` there (a later member
    /// with the same key replaces it; `null` empties the slot). Other members are parsed and
    /// dropped. Returns nil for an object, else the value, which holds no slot.
    public static func parseMembers(
        _ bytes: UnsafeBufferPointer<UInt8>, slotOf: (UnsafeBufferPointer<UInt8>) -> Int?,
        into slots: UnsafeMutableBufferPointer<JSONValue?>
    ) throws(JSONSyntaxError) -> JSONValue? {
        var parser = StrictJSONParser(bytes: bytes)
        parser.skipWhitespace()
        guard parser.current == UInt8(ascii: "{") else { return try parse(bytes) }
        try parser.parseMembers(depth: 1, slotOf: slotOf, into: slots)
        parser.skipWhitespace()
        if parser.position != bytes.count { throw parser.error("unexpected text after the value") }
        return nil
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private func error(_ reason: String) -> JSONSyntaxError { JSONSyntaxError(offset: position, reason: reason) }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard let byte = current else { throw error("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return .object(try parseObject(depth: depth + 1))
        case UInt8(ascii: "["): return .array(try parseArray(depth: depth + 1))
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case 0xEF: throw error("a byte-order mark is not allowed")
        default: throw error("unexpected character")
        }
    }

    private mutating func expectLiteral(_ word: StaticString) throws(JSONSyntaxError) {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw error("unexpected end of input") }
        let start = word.utf8Start
        for i in 0..<count where bytes[position + i] != start[i] {
            throw error("unexpected character")
        }
        position += count
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONObject {
        var object = JSONObject()
        object.members.reserveCapacity(16)  // a webhook line has about a dozen members: one allocation
        try forEachMember(depth: depth, key: { parser throws(JSONSyntaxError) in try parser.parseString() }) { key, value in
            object.members.append((key, value))
        }
        return object
    }

    /// The members straight to slots (see the static `parseMembers`).
    private mutating func parseMembers(
        depth: Int, slotOf: (UnsafeBufferPointer<UInt8>) -> Int?, into slots: UnsafeMutableBufferPointer<JSONValue?>
    ) throws(JSONSyntaxError) {
        try forEachMember(depth: depth, key: { parser throws(JSONSyntaxError) in try parser.parseKey(slotOf) }) { slot, value in
            guard let slot else { return }
            if case .null = value { slots[slot] = nil } else { slots[slot] = value }
        }
    }

    /// An object's grammar and errors, once for both readers of objects: `key` reads a member's
    /// key (from its opening quote) the way its caller keeps keys, `member` takes each pair.
    /// Inlined into both: as a call taking closures it cost the line parser 7%.
    @inline(__always)
    private mutating func forEachMember<Key>(
        depth: Int, key readKey: (inout StrictJSONParser) throws(JSONSyntaxError) -> Key, _ member: (Key, JSONValue) -> Void
    ) throws(JSONSyntaxError) {
        if depth > Self.maximumDepth { throw error("nested deeper than \(Self.maximumDepth) levels") }
        position += 1  // {
        skipWhitespace()
        if current == UInt8(ascii: "}") { position += 1; return }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try readKey(&self)
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':'") }
            position += 1
            skipWhitespace()
            member(key, try parseValue(depth: depth))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return
            default: throw error("expected ',' or '}'")
            }
        }
    }

    /// A key's slot: an escape-free key straight from the input bytes; any other through
    /// `parseString` from its opening quote (so its errors are the same as everywhere).
    private mutating func parseKey(_ slotOf: (UnsafeBufferPointer<UInt8>) -> Int?) throws(JSONSyntaxError) -> Int? {
        let quote = position
        if let plain = plainString() { return slotOf(UnsafeBufferPointer(rebasing: bytes[plain])) }
        position = quote
        var key = try parseString()
        return key.withUTF8 { slotOf($0) }
    }

    /// From a string's opening quote: the bytes of a string without escapes or control characters,
    /// with `position` past its closing quote. Otherwise nil, `position` on the byte that stopped
    /// the scan (an escape, a control character, or the end).
    private mutating func plainString() -> Range<Int>? {
        position += 1  // opening quote
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return start..<(position - 1)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            position += 1
        }
        return nil
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> [JSONValue] {
        if depth > Self.maximumDepth { throw error("nested deeper than \(Self.maximumDepth) levels") }
        position += 1  // [
        var array: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { position += 1; return array }
        while true {
            skipWhitespace()
            array.append(try parseValue(depth: depth))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return array
            default: throw error("expected ',' or ']'")
            }
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, returned as its literal text.
    private mutating func parseNumber() throws(JSONSyntaxError) -> String {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        guard let first = current, isDigit(first) else { throw error("a number needs digits") }
        if first == UInt8(ascii: "0") {
            position += 1
            if let next = current, isDigit(next) { throw error("leading zeros are not allowed") }
        } else {
            while let d = current, isDigit(d) { position += 1 }
        }
        if current == UInt8(ascii: ".") {
            position += 1
            guard let d = current, isDigit(d) else { throw error("a fraction needs digits") }
            while let d = current, isDigit(d) { position += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard let d = current, isDigit(d) else { throw error("an exponent needs digits") }
            while let d = current, isDigit(d) { position += 1 }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// A string; the fast path copies an escape-free run straight from the (valid UTF-8) input.
    private mutating func parseString() throws(JSONSyntaxError) -> String {
        let start = position + 1
        if let plain = plainString() { return String(decoding: UnsafeBufferPointer(rebasing: bytes[plain]), as: UTF8.self) }
        // An escape, a control character (refused below, at the same byte) or the end.
        var scalars = String.UnicodeScalarView()
        var utf8 = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while true {
            guard position < bytes.count else { throw error("unterminated string") }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                flush(&utf8, into: &scalars)
                return String(scalars)
            case UInt8(ascii: "\\"):
                flush(&utf8, into: &scalars)
                position += 1
                scalars.append(try parseEscape())
            case 0..<0x20:
                throw error("a control character must be escaped in a string")
            default:
                utf8.append(byte)
                position += 1
            }
        }
    }

    private func flush(_ utf8: inout [UInt8], into scalars: inout String.UnicodeScalarView) {
        guard !utf8.isEmpty else { return }
        scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
        utf8.removeAll(keepingCapacity: true)
    }

    private mutating func parseEscape() throws(JSONSyntaxError) -> Unicode.Scalar {
        guard let byte = current else { throw error("unterminated escape") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try parseHex4()
            if (0xD800...0xDBFF).contains(unit) {
                guard current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else {
                    throw error("a high surrogate escape must be followed by a low surrogate")
                }
                position += 2
                let low = try parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw error("a high surrogate escape must be followed by a low surrogate") }
                let value = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                return Unicode.Scalar(value)!
            }
            if (0xDC00...0xDFFF).contains(unit) { throw error("a lone low surrogate escape") }
            return Unicode.Scalar(unit)!
        default:
            position -= 1
            throw error("unknown escape")
        }
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("a \\u escape needs four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - 0x30)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - 0x61 + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - 0x41 + 10)
            default: throw error("a \\u escape needs four hex digits")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}

/// UTF-8 validation by the Unicode definition (no overlongs, no surrogates, ≤ U+10FFFF).
public enum UTF8Validation {
    /// The offset of the first invalid byte, or nil when the whole buffer is valid.
    public static func firstInvalidOffset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = bytes.count
        guard let base = bytes.baseAddress else { return nil }
        while i < n {
            // ASCII fast path: eight bytes at a time.
            while i + 8 <= n, UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
            guard i < n else { break }
            let b0 = bytes[i]
            if b0 < 0x80 { i += 1; continue }
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return i
            }
            guard i + length <= n else { return i }
            let b1 = bytes[i + 1]
            if b1 < lower || b1 > upper { return i }
            for k in 2..<max(2, length) where bytes[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }
}
