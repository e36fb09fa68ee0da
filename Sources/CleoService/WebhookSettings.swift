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
            guard let length = Int(contentLength.trimmingCharacters(in: .whitespaces)), length >= 0 else {
                return .refuse(status: 400, reason: "Content-Length is not a number", recorded: true)
            }
            if length > maximumBodyBytes { return .refuse(status: 413, reason: "body of \(length) bytes is over 1 MiB", recorded: true) }
        }
        return .readBody
    }

    /// `application/json`, any case, with optional parameters; a charset other than UTF-8 is
    /// refused (the log is UTF-8 and bodies are kept byte for byte).
    public static func isJSON(_ contentType: String) -> Bool {
        let parts = contentType.split(separator: ";", omittingEmptySubsequences: false)
        guard let media = parts.first, media.trimmingCharacters(in: .whitespaces).lowercased() == "application/json" else { return false }
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            if pair.first == "charset", pair.count == 2, pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) != "utf-8" { return false }
        }
        return true
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
