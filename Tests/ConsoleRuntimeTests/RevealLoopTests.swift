import CleoDomain
import CleoStore
import ConsoleRuntime
import ConsoleUI
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Reveal through the real loop and store on a recording terminal, with a clock the test moves:
/// the runtime's ticks reach the reducer, which hides the clear value 9 s after the store handed
/// it out; the store audited `viewed` without the value; nothing was copied.
@Suite(.serialized) struct RevealLoopTests {
    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var offset: Int64 = 0
        let start = Timestamp.now()
        func now() -> Timestamp {
            lock.lock()
            defer { lock.unlock() }
            return start.adding(milliseconds: offset)
        }
        func advance(to milliseconds: Int64) {
            lock.lock()
            offset = milliseconds
            lock.unlock()
        }
    }

    @Test func aRevealedKeyIsHiddenByTheTicksAndTheViewingIsAudited() throws {
        let harness = try LoopHarness()
        defer { harness.cleanup() }
        let key = "sk_cl_LOOP_REVEAL_0000wxyz"
        let database = try AppDatabase.open(path: harness.directory.appendingPathComponent("console.db").path)
        let me = String(cString: getpwuid(getuid())!.pointee.pw_name)
        try database.grant(.admin, to: "test", actor: Actor(user: me, origin: "local"), now: .now())
        _ = try database.saveConfiguration([(.chileApiKey, key)], expectedVersion: nil, actor: Actor(user: me, origin: "local"), now: .now())
        let clock = Clock()
        harness.start(clock: { clock.now() })
        harness.terminal.waitFor("1 Transactions")
        harness.terminal.press(.key(.character("2")))
        harness.terminal.waitFor("••••wxyz")
        harness.terminal.press(.key(.character("v")))
        harness.terminal.waitFor("Reveal chileApiKey?")
        harness.terminal.press(.key(.character("y")))
        harness.terminal.waitFor(key)
        // 8.5 s later by the clock: still shown (a tick has come and gone).
        clock.advance(to: 8_500)
        harness.terminal.waitFor("hidden in 1 s")
        #expect(harness.terminal.screen.contains(key))
        // Past 9 s: the next tick hides it, with no key pressed.
        clock.advance(to: 9_600)
        let hidden = harness.terminal.waitFor("••••wxyz  hmac:")
        #expect(!hidden.contains(key), "\(hidden)")
        #expect(harness.terminal.copied.isEmpty)
        let viewed = try database.auditTrail().filter { $0.result == .viewed }
        #expect(viewed.count == 1 && viewed.first?.user == "test" && viewed.first?.field == "chileApiKey")
        #expect(!viewed.contains { ($0.old ?? "").contains(key) || ($0.new ?? "").contains(key) || ($0.detail ?? "").contains(key) })
        #expect(harness.stop())
    }
}
