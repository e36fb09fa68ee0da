import CleoDomain
import Foundation

/// What the receiver needs of the configuration, read again every second (serve.md: a change
/// is picked up within 2 s without a restart).
public struct WebhookSettings: Sendable, Equatable {
    /// The path of `webhookUrl` (`https://ops.example.com/hooks/cleo` → `/hooks/cleo`); nil without one.
    public var path: String?
    public var isSecured: Bool
    /// The `Authorization` value a secured delivery must carry, as bytes; nil when unset.
    public var authorization: [UInt8]?

    public init(path: String?, isSecured: Bool, authorization: [UInt8]?) {
        self.path = path
        self.isSecured = isSecured
        self.authorization = authorization
    }

    /// The path a `webhookUrl` names, percent-encoding kept as written (requests are compared
    /// with the path as sent); `/` for a URL without one.
    public static func path(ofWebhookURL url: String?) -> String? {
        guard let url, let components = URLComponents(string: url) else { return nil }
        let path = components.percentEncodedPath
        return path.isEmpty ? "/" : path
    }
}

/// The checks a delivery passes before its body is read, in the order the receiver makes them
/// (serve.md, "A delivery"). Pure.
public enum DeliveryGate {
    /// The most a body may hold; the receiver reads at most one byte more.
    public static let maximumBodyBytes = 1 << 20

    public enum Verdict: Sendable, Equatable {
        /// Answer now with `status`; `recorded` says whether a refusal record is kept.
        case refuse(status: Int, reason: String, recorded: Bool)
        /// Read the body (at most `maximumBodyBytes` + 1 bytes).
        case readBody
    }

    /// An unauthenticated sender is refused before anything else is looked at, so it learns
    /// nothing of what is accepted and costs no body read.
    public static func check(method: String, path: String, contentType: String?, contentLength: String?,
                             authorization: [UInt8]?, settings: WebhookSettings) -> Verdict {
        guard let served = settings.path, path.utf8.elementsEqual(served.utf8) else {
            return .refuse(status: 404, reason: "no such path", recorded: false)
        }
        guard method == "POST" else { return .refuse(status: 405, reason: "only POST is accepted here", recorded: false) }
        if settings.isSecured {
            guard let expected = settings.authorization else {
                return .refuse(status: 401, reason: "the webhook is secured but no webhookAuthorization is configured", recorded: true)
            }
            guard let given = authorization else { return .refuse(status: 401, reason: "Authorization header missing", recorded: true) }
            guard constantTimeEqual(given, expected) else { return .refuse(status: 401, reason: "Authorization header wrong", recorded: true) }
        }
        guard let contentType, isJSON(contentType) else {
            return .refuse(status: 415, reason: "Content-Type must be application/json", recorded: true)
        }
        if let contentLength {
            guard let length = Int(Substring(trimmed(contentLength[...].utf8))), length >= 0 else {
                return .refuse(status: 400, reason: "Content-Length is not a number", recorded: true)
            }
            if length > maximumBodyBytes { return .refuse(status: 413, reason: "body of \(length) bytes is over 1 MiB", recorded: true) }
        }
        return .readBody
    }

    /// `application/json`, any case, with optional parameters; a charset other than UTF-8 is
    /// refused (the log is UTF-8 and bodies are kept byte for byte). Compared as ASCII bytes, with
    /// HTTP's optional whitespace (space, tab) around each part: it runs on every delivery.
    public static func isJSON(_ contentType: String) -> Bool {
        var parts = contentType.utf8.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false).makeIterator()
        guard let media = parts.next(), asciiEqual(trimmed(media), caseInsensitiveTo: "application/json") else { return false }
        while let parameter = parts.next() {
            guard let equals = parameter.firstIndex(of: UInt8(ascii: "=")),
                  asciiEqual(trimmed(parameter[..<equals]), caseInsensitiveTo: "charset") else { continue }
            var value = trimmed(parameter[parameter.index(after: equals)...])
            while value.first == UInt8(ascii: "\"") { value = value.dropFirst() }
            while value.last == UInt8(ascii: "\"") { value = value.dropLast() }
            if !asciiEqual(value, caseInsensitiveTo: "utf-8") { return false }
        }
        return true
    }

    /// Without the spaces and tabs at either end.
    static func trimmed(_ text: Substring.UTF8View) -> Substring.UTF8View {
        var text = text
        while let first = text.first, first == 0x20 || first == 0x09 { text = text.dropFirst() }
        while let last = text.last, last == 0x20 || last == 0x09 { text = text.dropLast() }
        return text
    }

    /// Equal to the lower-case ASCII `expected`, ignoring the case of ASCII letters only.
    static func asciiEqual(_ text: Substring.UTF8View, caseInsensitiveTo expected: StaticString) -> Bool {
        guard text.count == expected.utf8CodeUnitCount else { return false }
        return expected.withUTF8Buffer { want in
            zip(text, want).allSatisfy { byte, wanted in (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) == wanted }
        }
    }

    /// Compares every byte whatever the first difference, so the time taken says nothing about
    /// how much of a guess was right (only the expected length's order of magnitude).
    public static func constantTimeEqual(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        guard !expected.isEmpty else { return false }
        for i in 0..<max(given.count, expected.count) {
            let a = i < given.count ? given[i] : 0
            difference |= a ^ expected[i % expected.count]
        }
        return difference == 0
    }
}
