import Foundation
import Testing

/// `serve --tls-cert PEM --tls-key PEM`: HTTPS by serve itself, checked with curl against a
/// certificate made by openssl for 127.0.0.1.
@Suite struct ServeTLSTests {
    func tool(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func httpsWithItsOwnCertificate() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let cert = h.directory.appendingPathComponent("cert.pem").path
        let key = h.directory.appendingPathComponent("key.pem").path
        let made = try tool("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                                                 "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert])
        #expect(made.status == 0, "\(made.output)")

        // What is wrong with the files is said, and serve does not start.
        #expect(try h.run(["serve", "--listen", "127.0.0.1:0", "--tls-cert", cert]).status == 64)
        #expect(try h.run(["serve", "--listen", "127.0.0.1:0", "--tls-cert", cert + ".absent", "--tls-key", key]).status == 66)
        let swapped = try h.run(["serve", "--listen", "127.0.0.1:0", "--tls-cert", key, "--tls-key", cert])
        #expect(swapped.status == 1)
        #expect(!swapped.stderr.contains("PRIVATE KEY"))

        let serve = try ServeProcess(h, ["--tls-cert", cert, "--tls-key", key])
        defer { serve.stop() }
        #expect(serve.log.contains("listening on https://127.0.0.1:"))
        let body = webhookLine("tls-1")
        let curl = try tool("/usr/bin/curl", ["-sS", "--max-time", "10", "--cacert", cert, "-o", "/dev/null", "-w", "%{http_code}",
                                              "-H", "Content-Type: application/json", "--data-binary", body, "https://127.0.0.1:\(serve.port)/hooks/cleo"])
        #expect(curl.output == "200", "\(curl.output)")
        #expect(try h.logLines().count == 1)
        // Plain HTTP on the TLS port gets no HTTP answer, and nothing is appended.
        #expect((try? RawHTTP.post(port: serve.port, body))?.status == nil)
        #expect(try h.logLines().count == 1)
    }
}
