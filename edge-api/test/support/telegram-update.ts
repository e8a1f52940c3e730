/** A Telegram update carrying a private text message from user 42, as the Bot API sends it. */
export const textUpdate = (id: number, text: string) => ({
  update_id: id,
  message: { message_id: id, date: 1, text, chat: { id: 42, type: 'private', first_name: 'A' }, from: { id: 42, is_bot: false, first_name: 'A' } },
})
