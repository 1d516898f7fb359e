import MeshCore
import NIOSSL

/// The TLS a PostgreSQL client gets when it asks (`sslmode=require` and stricter).
public enum PGTLS {
    /// A server context from PEM files: the certificate chain (leaf first) and its private key.
    /// A file that cannot be read or parsed is an error naming which, not the contents.
    public static func context(certificate: String, key: String) throws -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate)
        } catch {
            throw MeshError(.invalidParameter, "--tls-cert: \(certificate) is not a readable PEM certificate chain")
        }
        guard !chain.isEmpty else { throw MeshError(.invalidParameter, "--tls-cert: \(certificate) holds no certificate") }
        let privateKey: NIOSSLPrivateKey
        do {
            privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
        } catch {
            throw MeshError(.invalidParameter, "--tls-key: \(key) is not a readable PEM private key")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                                     privateKey: .privateKey(privateKey))
        configuration.minimumTLSVersion = .tlsv12
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw MeshError(.invalidParameter, "--tls-cert and --tls-key do not make a TLS context (does the key match the certificate?)")
        }
    }
}
