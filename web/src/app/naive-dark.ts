// Kept in its own module so the dark styles of every Naive UI component load only when needed.
export { darkTheme } from 'naive-ui'
