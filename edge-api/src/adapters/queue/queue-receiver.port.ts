/** Checks that a delivery really comes from QStash (the `Upstash-Signature` JWT over body and URL). */
export interface QueueReceiver {
  verify(input: { signature: string; body: string; url: string }): Promise<boolean>
}
