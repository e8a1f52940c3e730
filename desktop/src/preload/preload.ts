import { contextBridge, ipcRenderer } from 'electron'
import { BRIDGE_KEY } from '../shared/channels'
import { createBridge, readVersion, type Invoke, type Subscribe } from './bridge'

// A sandboxed preload runs once per page load; exposing the bridge is its whole job.
const invoke: Invoke = (channel, ...args) => ipcRenderer.invoke(channel, ...args)

// The page gets the payload only, never the IpcRendererEvent (it carries `sender`, i.e. ipcRenderer).
const subscribe: Subscribe = (event, listener) => {
  const handler = (_event: unknown, payload: unknown) => listener(payload)
  ipcRenderer.on(event, handler)
  return () => void ipcRenderer.removeListener(event, handler)
}

contextBridge.exposeInMainWorld(BRIDGE_KEY, createBridge(invoke, subscribe, readVersion(process.argv)))
