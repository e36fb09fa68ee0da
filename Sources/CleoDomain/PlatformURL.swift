import Foundation

/// The platform's base URL (`--base-url`, `CLEO_CONSOLE_PLATFORM_URL`): where the company token
/// goes, so it is checked before anything is sent.
public enum PlatformURL {
    /// Why `text` cannot be the base URL, or nil. `https` with a host, no user-info, query or
    /// fragment; plain `http` only to this machine (the tests' fake platform): the token must
    /// never cross a network in clear.
    public static func problem(_ text: String) -> String? {
        guard text.utf8.count <= 2_048 else { return "longer than 2,048 characters" }
        guard !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0.value > 0x7E }) else {
            return "must not contain spaces, control or non-ASCII characters"
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty else { return "must be an absolute URL with a host (https://…)" }
        if components.user != nil || components.password != nil { return "must not carry a user or password" }
        if components.query != nil || components.fragment != nil { return "must not carry a query or fragment" }
        switch scheme {
        case "https": return nil
        case "http": return isLoopback(host) ? nil : "must be https (plain http only to 127.0.0.1, ::1 or localhost)"
        default: return "must be https"
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        let lower = host.lowercased()
        if lower == "localhost" || lower == "[::1]" || lower == "::1" { return true }
        let parts = lower.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { part in UInt8(part) != nil && !(part.count > 1 && part.hasPrefix("0")) }
    }
}
