import CleoDomain
import CleoStore
import ConsoleRuntime
import ConsoleUI
import Foundation
import TerminalCanvas
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The Config screen through the real loop and store: an unsaved key shows the fingerprint the
/// store then keeps (one fingerprint before and after saving), and webhookAuthorization typed on
/// the screen is sealed and stored as `config set webhookAuthorization` stores it.
@Suite(.serialized) struct ConfigSaveLoopTests {
    @Test func theUnsavedFingerprintIsTheSavedOneAndWebhookAuthorizationIsStored() throws {
        let harness = try LoopHarness()
        defer { harness.cleanup() }
        let database = try AppDatabase.open(path: harness.directory.appendingPathComponent("console.db").path)
        let me = String(cString: getpwuid(getuid())!.pointee.pw_name)
        try database.grant(.admin, to: "test", actor: Actor(user: me, origin: "local"), now: .now())
        // A key file exists (the first key made it).
        _ = try database.saveConfiguration([(.chileApiKey, "sk_cl_LOOP_0000_aaaa")], expectedVersion: nil, actor: Actor(user: me, origin: "local"), now: .now())
        let key = "sk_mx_LOOP_SAVE_0000WXYZ", authorization = "Bearer loop-0000-9f2c"
        let expected = try #require(try database.storedFingerprint(of: key))
        harness.start(clock: { .now() })
        harness.terminal.waitFor("1 Transactions")
        harness.terminal.press(.key(.character("2")))
        harness.terminal.waitFor("••••aaaa")
        for input: TerminalInput in [.key(.character("j")), .key(.character("j")), .key(.enter), .key(.paste(key)), .key(.enter)] { harness.terminal.press(input) }
        // Before saving, the fingerprint the store will keep (never the unkeyed sha256: one).
        harness.terminal.waitFor("••••WXYZ " + expected)
        for _ in 0..<4 { harness.terminal.press(.key(.character("j"))) }
        for input: TerminalInput in [.key(.enter), .key(.paste(authorization)), .key(.enter)] { harness.terminal.press(input) }
        harness.terminal.waitFor("••••9f2c hmac:")
        harness.terminal.press(.key(.character("w")))
        harness.terminal.waitFor("Write these changes?")
        harness.terminal.press(.key(.character("y")))
        harness.terminal.waitFor("saved: version")
        #expect(try database.configuration().secrets[.mexicoApiKey]?.fingerprint == expected)
        #expect(try database.webhookAuthorization() == authorization)
        #expect(try database.auditTrail().contains { $0.field == "webhookAuthorization" && $0.result == .saved && $0.user == "test" })
        #expect(harness.stop())
    }
}
