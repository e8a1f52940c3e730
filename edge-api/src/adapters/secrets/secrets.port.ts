/** The keys gateway credentials are sealed with: generated into DATA_DIR/secrets.json locally, the ENCRYPTION_KEY binding on Workers. */
export interface Secrets {
  /** Keys for AES-256-GCM of gateway credentials by key id; `currentKeyId` seals new data. */
  encryptionKeys: Record<string, string>
  currentKeyId: string
}
