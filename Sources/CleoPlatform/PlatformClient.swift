import AsyncHTTPClient
import CleoDomain
import Foundation
import NIOCore

/// The cashier call over HTTP: one POST, no redirects followed (a redirect would carry the
/// token elsewhere), one deadline for the whole exchange, the answer's bytes or why none came.
/// Deciding what the answer means is `CashierOutcome.normalise` (pure, in CleoDomain).
public enum PlatformClient {
    /// The most of an answer's body read; a longer one is cut (still parsed as far as it goes).
    public static let maximumBodyBytes = 1 << 20

    public struct Request: Sendable {
        public var url: String
        public var body: [UInt8]
        public var token: String
        public var userToken: String?
        public var timeoutSeconds: Int

        public init(url: String, body: [UInt8], token: String, userToken: String?, timeoutSeconds: Int) {
            self.url = url
            self.body = body
            self.token = token
            self.userToken = userToken
            self.timeoutSeconds = timeoutSeconds
        }
    }

    public static func send(_ request: Request) async -> CashierReply {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(Int64(request.timeoutSeconds)), read: .seconds(Int64(request.timeoutSeconds)))
        // A refused connection is said at once, not retried until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .disabled
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let reply = await exchange(client, request)
        try? await client.shutdown()
        return reply
    }

    static func exchange(_ client: HTTPClient, _ request: Request) async -> CashierReply {
        var http = HTTPClientRequest(url: request.url)
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/json")
        http.headers.add(name: "Accept", value: "application/json")
        http.headers.add(name: "Authorization", value: "Bearer " + request.token)
        if let userToken = request.userToken { http.headers.add(name: "x-user-token", value: "Bearer " + userToken) }
        http.body = .bytes(ByteBuffer(bytes: request.body))
        let deadline = NIODeadline.now() + .seconds(Int64(request.timeoutSeconds))
        do {
            let response = try await client.execute(http, deadline: deadline)
            var buffer = ByteBuffer()
            for try await part in response.body {
                var chunk = part
                let room = maximumBodyBytes - buffer.readableBytes
                if room <= 0 { break }
                if chunk.readableBytes > room { chunk = chunk.getSlice(at: chunk.readerIndex, length: room)! }
                buffer.writeBuffer(&chunk)
                if NIODeadline.now() > deadline { return .transport(.timeout(seconds: request.timeoutSeconds)) }
            }
            return .http(status: Int(response.status.code), body: Array(buffer.readableBytesView))
        } catch {
            return .transport(classify(error, timeoutSeconds: request.timeoutSeconds))
        }
    }

    /// Words for what went wrong. Never the request (it holds the token): only the error's own text.
    static func classify(_ error: any Error, timeoutSeconds: Int) -> TransportFailure {
        if let error = error as? HTTPClientError,
           [.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout].contains(error) {
            return .timeout(seconds: timeoutSeconds)
        }
        let text = String(describing: error)
        let lower = text.lowercased()
        if lower.contains("refused") { return .connectionRefused }
        if lower.contains("timeout") || lower.contains("timed out") { return .timeout(seconds: timeoutSeconds) }
        if lower.contains("ssl") || lower.contains("tls") || lower.contains("handshake") || lower.contains("certificate") {
            return .tls(String(text.prefix(300)))
        }
        return .other(String(text.prefix(300)))
    }

    /// For the synchronous command line: runs `send` and waits for it.
    public static func sendAndWait(_ request: Request) -> CashierReply {
        final class Box: @unchecked Sendable { var reply: CashierReply = .transport(.other("no answer")) }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Task {
            box.reply = await send(request)
            done.signal()
        }
        done.wait()
        return box.reply
    }
}
