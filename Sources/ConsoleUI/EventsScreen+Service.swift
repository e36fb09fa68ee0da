import CleoDomain
import TerminalCanvas

extension EventsScreen {
    /// serve's state under the follower's (serve.md, "What the console shows"), from the same
    /// state file the frame reads: what it does and where, secured or not, its last delivery and
    /// the refusals of the last hour. None without the file (no serve on this database).
    static func serviceLines(_ state: AppState) -> [(label: String, value: String, role: Role)] {
        guard let service = state.service else { return [] }
        // The file is another process's: its text is sanitised like any outside text.
        let listen = TerminalText.sanitized(service.listen)
        let security = service.isSecured ? "secured" : "not secured"
        let head: (String, Role) = switch service.phase(now: state.now) {
        case .receiving where !service.isSecured && state.session.isProduction:
            ("⚠ receiving on \(listen) · not secured: takes unauthenticated deliveries", .warning)
        case .receiving: ("● receiving on \(listen) · \(security)", .success)
        case .stopped(let at): ("stopped \(when(at, state)) · \(listen) · \(security)", .muted)
        case .notSeen(let since): ("✗ not seen since \(when(since, state)) · \(listen)", .warning)
        }
        let last = service.lastDeliveryAt.map { when($0, state) } ?? "none yet"
        return [("serve", head.0, head.1),
                ("last delivery", last + " · last hour: \(service.refusalsLastHour.grouped) refused", .normal)]
    }
}
