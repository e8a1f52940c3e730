import { contextBridge, ipcRenderer } from 'electron'
import { BRIDGE_KEY } from '../shared/channels'
import { createBridge, readVersion, type Invoke } from './bridge'

// A sandboxed preload runs once per page load; exposing the bridge is its whole job.
const invoke: Invoke = (channel, ...args) => ipcRenderer.invoke(channel, ...args)

contextBridge.exposeInMainWorld(BRIDGE_KEY, createBridge(invoke, readVersion(process.argv)))
