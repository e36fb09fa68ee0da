import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Who may send a test (README, "Who may send a test"; roles.md is silent, cashier.md has support
/// reproduce a customer's failure): every role, where the send can be recorded — with real
/// operating-system users and the fake platform on loopback.
@Suite(.serialized) struct CashierRolesCLITests {
    @Test func supportSendsWhereItMayWriteAndIsToldBeforeAnythingIsSentWhereItMayOnlyRead() throws {
        let cli = try CLIHarness()
        let support = try TemporaryUser()
        defer { support.remove(); cli.cleanup() }
        let platform = try FakePlatform()
        defer { platform.stop() }
        #expect(try cli.run(["config", "set", "chileApiKey"], stdin: CashierCLITests.chileKey + "\n").status == 0)
        let token = cli.directory.appendingPathComponent("company.token").path
        try (FakePlatform.token + "\n").write(toFile: token, atomically: true, encoding: .utf8)
        chmod(token, 0o644)
        let send = ["cashier", "payin", "--country", "CL", "--send", "--base-url", platform.base("created"), "--token-file", token, "--timeout", "5"]

        // Read-only for this user: said at once, exit 77, nothing reaches the platform.
        chmod(cli.directory.path, 0o755)
        for suffix in ["", "-wal", "-shm", ".lock"] { chmod(cli.db + suffix, 0o644) }
        chmod(cli.keyFile, 0o644)
        let refused = try cli.run(as: support.name, send)
        #expect(refused.status == 77, "\(refused.stdout) \(refused.stderr)")
        #expect(refused.stderr.contains("a test send is recorded in the history first; nothing was sent"), "\(refused.stderr)")
        #expect(platform.requests().isEmpty)

        // The same support user (no role granted) where it may write: sent and recorded.
        cli.openToEveryone()
        let sent = try cli.run(as: support.name, send)
        #expect(sent.status == 0, "\(sent.stdout) \(sent.stderr)")
        #expect(platform.requests().count == 1)
        let history = try cli.json(["cashier", "history", "--json"]) as? [[String: Any]]
        #expect(history?.first?["user"] as? String == support.name)
    }
}
