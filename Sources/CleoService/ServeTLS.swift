import Foundation
import NIOSSL

/// `--tls-cert PEM --tls-key PEM`: serve speaks HTTPS itself (TLS 1.2 or later).
public struct ServeTLS: Sendable {
    let configuration: TLSConfiguration

    public enum Problem: Error, CustomStringConvertible {
        case missing(String)
        case unreadable(String, String)
        public var description: String {
            switch self {
            case .missing(let path): "\(path) does not exist"
            case .unreadable(let path, let why): "cannot use \(path): \(why)"
            }
        }
    }

    /// Loads the certificate chain and the private key; the key's bytes are never shown.
    public static func load(certificate: String, key: String) throws(Problem) -> ServeTLS {
        for path in [certificate, key] where !FileManager.default.fileExists(atPath: path) { throw .missing(path) }
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(certificate) } catch { throw .unreadable(certificate, "not a PEM certificate chain") }
        guard !chain.isEmpty else { throw .unreadable(certificate, "no certificate in it") }
        let privateKey: NIOSSLPrivateKey
        do { privateKey = try NIOSSLPrivateKey(file: key, format: .pem) } catch { throw .unreadable(key, "not a PEM private key") }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        configuration.minimumTLSVersion = .tlsv12
        return ServeTLS(configuration: configuration)
    }
}
