import CleoDomain
import CleoIngest
import TerminalCanvas

extension AppState {
    /// The screen for a terminal whose locale is not UTF-8: drawn with ASCII placeholders
    /// (measured as drawn), then every other glyph given its ASCII stand-in.
    public func renderASCII() -> Canvas {
        TerminalText.inASCII { render() }.asciiFallback()
    }

    /// The whole screen as a pure function of the state.
    public func render() -> Canvas {
        var canvas = Canvas(size: size)
        if isTooSmall {
            // The environment stays said: a production console is never mistaken for a sandbox.
            let environment = session.isProduction ? " ▲ PRODUCTION " : " \(TerminalText.sanitized(session.environment)) "
            canvas.write(environment, x: 0, y: 0, role: session.isProduction ? .production : .accent, maxWidth: size.width)
            let lines = ["Terminal too small", "Cleo Console needs \(Self.minimumSize.width)×\(Self.minimumSize.height);",
                         "this one is \(size.width)×\(size.height).",
                         textFieldHasFocus ? "A field is open (its text is kept): enlarge to finish it." : "Enlarge it, or press q to quit."]
            for (index, line) in lines.enumerated() {
                canvas.write(line, x: max(0, (size.width - TerminalText.width(line)) / 2), y: max(1, size.height / 2 - 2) + index,
                             role: index == 0 ? .warning : .normal)
            }
            return canvas
        }
        renderHeader(into: &canvas)
        renderTabs(into: &canvas)
        let body = frame.body
        screen.screen.render(self, into: &canvas, in: body)
        if cashier.isOpen { CashierFormScreen.render(self, into: &canvas, in: body) }
        renderStatusLine(into: &canvas)
        renderHints(into: &canvas)
        return canvas
    }

    /// Environment (production unmistakable), user, origin, time zone, follower state. When the
    /// width runs out the frame gives way in this order: the origin is cut, then the time zone,
    /// then the user; the environment and the follower's state are never dropped.
    func renderHeader(into canvas: inout Canvas) {
        let width = size.width
        canvas.fill(x: 0, y: 0, width: width, role: .title)
        var x = canvas.write(" Cleo Console ", x: 0, y: 0, role: .title)
        if session.isProduction {
            x += canvas.write(" ▲ PRODUCTION ", x: x, y: 0, role: .production)
        } else {
            x += canvas.write(" sandbox ", x: x, y: 0, role: .accent)
        }
        let follower: (String, Role) = switch follower.phase {
        case .following: ("● following", .title)
        case .waitingForLog: ("○ waiting for the log", .warning)
        case .starting: ("… starting", .title)
        case .failed: ("✗ follower failed", .error)
        }
        // A console that may not write the database follows nothing: it shows what others commit.
        let followerText = " " + (session.readOnlyReason == nil ? follower.0 : "◇ read-only") + " "
        let followerWidth = TerminalText.width(followerText)
        canvas.write(followerText, x: width - followerWidth, y: 0, role: session.readOnlyReason == nil ? follower.1 : .warning)
        var room = width - followerWidth - x - 1
        let user = "  " + TerminalText.sanitized(session.user) + " (" + session.role.rawValue + (session.readOnlyReason == nil ? "" : ", read-only") + ")"
        let origin = "@" + TerminalText.sanitized(session.origin)
        let zone = " · " + TerminalText.sanitized(session.zoneName)
        let userWidth = TerminalText.width(user), zoneWidth = TerminalText.width(zone), originWidth = TerminalText.width(origin)
        guard room > 0 else { return }
        if userWidth + zoneWidth + originWidth <= room {
            x += canvas.write(user + origin + zone, x: x, y: 0, role: .title)
            return
        }
        guard userWidth + 8 <= room else {
            canvas.write(TerminalText.truncated(user, to: room), x: x, y: 0, role: .title)
            return
        }
        // Cut, each ending with … so it reads as cut: the origin first, down to a few columns,
        // then the zone.
        room -= userWidth
        let zoneShown = min(zoneWidth, max(room - originWidth, room - min(originWidth, 8), room * 2 / 3))
        let originShown = room - zoneShown
        x += canvas.write(user + TerminalText.truncated(origin, to: originShown) + TerminalText.truncated(zone, to: zoneShown), x: x, y: 0, role: .title)
    }

    func renderTabs(into canvas: inout Canvas) {
        var x = 1
        // The route table's tabs: each with its key.
        for route in Routes.tabs {
            let title = route.key.label + " " + (route.tab ?? "")
            let active = screen == route.screen || (screen == .detail && route.screen == .transactions)
            x += canvas.write(" \(title) ", x: x, y: 1, role: active ? .selected : .muted) + 1
        }
        if !config.stored.isComplete && config.isLoaded {
            canvas.write("⚠ config incomplete", x: x + 1, y: 1, role: .warning)
        }
    }

    /// The freshness line, or a message. A message too long for one row wraps upward over the
    /// body's last rows (at most four, the last ending `…` if even that is short): a refusal or a
    /// notice is read whole, never stopped at the edge.
    func renderStatusLine(into canvas: inout Canvas) {
        let y = frame.status.y
        // The question before any message: a long one (a test waiting, 3600 s) would hide it.
        if confirmingQuit {
            renderMessage(" Unsaved config edits. Quit anyway? " + Self.quitAnswers.sentence(), role: .warning, bottom: y, into: &canvas)
            return
        }
        if let flash {
            renderMessage(" " + flash.text, role: flash.isError ? .error : .accent, bottom: y, into: &canvas)
            return
        }
        let line = statusSegments().fitted(to: size.width)
        var x = 0
        for segment in line {
            x += canvas.write(segment.text, x: x, y: y, role: segment.role, maxWidth: size.width - x)
        }
    }

    /// `text` on the rows ending at `bottom`: one when it fits, else wrapped upward.
    func renderMessage(_ text: String, role: Role, bottom: Int, into canvas: inout Canvas) {
        let width = size.width
        guard TerminalText.width(TerminalText.sanitized(text)) > width else {
            canvas.write(text, x: 0, y: bottom, role: role, maxWidth: width)
            return
        }
        let rows = min(4, TerminalText.wrap(text, width: width - 2).count, max(1, bottom - frame.body.y))
        canvas.fill(x: 0, y: bottom - rows + 1, width: width, height: rows, role: role)
        canvas.wrapped(text, x: 1, y: bottom - rows + 1, width: width - 2, maxLines: rows, role: role)
    }

    /// The freshness line's parts in reading order, each with how it gives way when the width
    /// runs out (the turns below, first to go first): the follower's state and an unauthenticated
    /// receiver never; 1 the last event's age; 2 serve's detail (down to "serve receiving");
    /// 3 the notice's detail cut between words to 34 columns; 4 the transactions count; 5 the notice's detail
    /// to 16, a read-only console's "showing what writers commit"; 6 the notice to its kind and
    /// time "(screen 3)", the read-only reason to "read-only";
    /// 7 both dropped; 8 serve's state; 9 the rejected count.
    func statusSegments() -> StatusLine {
        var line = StatusLine()
        if let notice = follower.frameNotice(now: now) {
            // A gap or rotation in the log is shown in the frame, with its time (screen 3 has it whole).
            let when = RFC3339.formatShort(notice.at, offsetSeconds: session.offsetSeconds).dropFirst(5).prefix(14)
            let head = " ⚠ \(notice.kind.rawValue) \(when)"
            let detail = TerminalText.sanitized(notice.detail)
            line.add(head + ": " + detail + " ", role: .warning, drop: 7,
                     shorter: [(3, head + ": " + TerminalText.truncatedAtWord(detail, to: 34) + " "), (5, head + ": " + TerminalText.truncatedAtWord(detail, to: 16) + " "),
                               (6, head + " (screen 3) ")])
        }
        if let reason = session.readOnlyReason {
            line.add(" read-only: " + TerminalText.sanitized(reason) + " ·", role: .warning, drop: 7, shorter: [(6, " read-only ·")])
        }
        let phase: String = switch follower.phase {
        case _ where session.readOnlyReason != nil: "showing what writers commit"
        case .following: transactions.isPaused ? "paused" : "following"
        case .waitingForLog: "waiting for the log (screen 3)"
        case .starting: "starting"
        case .failed(let message): "follower failed: " + TerminalText.sanitized(message)
        }
        // A read-only console follows nothing: its phase only explains the header's "◇ read-only"
        // and goes before the reason does.
        line.add(" " + phase, role: .muted, drop: nil, shorter: session.readOnlyReason != nil ? [(5, "")] : [])
        // A receiver taking unauthenticated deliveries in production is said first (serve.md).
        if let service, session.isProduction, !service.isSecured, case .receiving = service.phase(now: now) {
            // Drawn as every other ⚠ is (warning), not as the muted facts around it.
            line.add(" ·", role: .muted, drop: nil)
            line.add(" ⚠ serve takes unauthenticated deliveries", role: .warning, drop: nil)
        }
        line.add(" · last event " + (follower.lastEventAt.map { EventsScreen.ago($0, now) } ?? "never"), role: .muted, drop: 1)
        line.add(" · " + (transactions.isCounted || transactions.rowsCurrent && transactions.rows.isEmpty ? TransactionsScreen.counted(transactions.total, "transaction")
                          : "counting transactions…") + (transactions.query.isFiltered ? " (filtered)" : ""),
                 role: .muted, drop: 4)
        if let service {
            let summary = serviceSummary(service)
            let short = summary.split(separator: " (").first.map(String.init) ?? summary
            line.add(" · " + summary, role: .muted, drop: 8, shorter: [(2, " · " + short)])
        }
        if follower.counts.rejected > 0 { line.add(" · \(follower.counts.rejected.grouped) rejected", role: .muted, drop: 9) }
        return line
    }
    /// serve.md: receiving (last delivery N s ago, deliveries and refusals in the last hour),
    /// stopped, or not seen; in production, a receiver taking unauthenticated deliveries says so.
    func serviceSummary(_ service: ServiceState) -> String {
        switch service.phase(now: now) {
        case .receiving(let ago):
            let last = ago.map { "last \($0) s ago" } ?? "none yet"
            return "serve receiving (\(last), \(service.deliveriesLastHour)/h"
                + (service.refusalsLastHour > 0 ? ", \(service.refusalsLastHour) refused)" : ")")
        case .stopped(let at):
            return "serve stopped " + EventsScreen.ago(at, now)
        case .notSeen(let since):
            return "serve not seen since " + EventsScreen.ago(since, now)
        }
    }

    /// The key hints, generated from the table that handles the keys.
    func renderHints(into canvas: inout Canvas) {
        let y = frame.hints.y
        canvas.fill(x: 0, y: y, width: size.width, role: .keyHint)
        if let palette {
            let x = canvas.write(" :", x: 0, y: y, role: .keyHint)
            canvas.field(palette, x: x, y: y, width: size.width - x - 1, role: .keyHint)
            return
        }
        // The screen's mode's hints, then the global keys' and the route table's (outside a
        // field or a question): all from the tables that handle the keys.
        var hints = cashier.isOpen ? CashierFormScreen.hints(cashier) : screen.screen.hints(self)
        if let answers = openAnswers {
            // A y/n question: its answers only (every other key answers it too, as no).
            hints = answers.hints
        } else if !textFieldHasFocus && !config.isAsking && !cashier.isOpen {
            hints = Self.globalKeys.hints + hints + [(Routes.tabKeys, "screens")]
        }
        var x = 1
        for hint in hints {
            let width = TerminalText.width(hint.keys) + TerminalText.width(hint.label) + 3
            if x + width > size.width { break }
            x += canvas.write(hint.keys, x: x, y: y, role: .accent)
            x += canvas.write(" " + hint.label + "  ", x: x, y: y, role: .keyHint)
        }
    }
}

extension AppState {
    /// y or a second Ctrl-C quits; n, Esc or any other key stays (`handleKey`).
    static let quitAnswers = Answers(yes: "quit", no: "stay", yesKeys: "y/Ctrl-C")

    /// The answers of the y/n question the next key answers, or nil; the question's own line
    /// and the hints line both read them.
    var openAnswers: Answers? {
        if confirmingQuit { return Self.quitAnswers }
        if cashier.isOpen { return cashier.confirming ? CashierFormScreen.sendAnswers : nil }
        switch screen {
        case .config: return ConfigScreen.answers(config)
        case .transactions where transactions.confirmingExport != nil: return TransactionsScreen.exportAnswers
        default: return nil
        }
    }
}
