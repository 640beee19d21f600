import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import OfflineStatus from './components/OfflineStatus.svelte';
import { serviceWorker } from './pwa/service-worker.svelte.ts';
import { models } from './models.svelte.ts';

const target = document.getElementById('app');
if (!target) throw new Error('index.html lost its #app element');
// Models added in this browser join the registry first, so saved settings and links naming one
// still find it (an IndexedDB read: milliseconds). A blocked database must not keep the app from
// showing: after 2 s it mounts anyway and the models join when the read ends.
await Promise.race([models.loadAdded(), new Promise((r) => setTimeout(r, 2000))]);
mount(App, { target });

// Its own root, so the offline notice shows on every view without touching the app's layout.
const notices = document.createElement('div');
document.body.append(notices);
mount(OfflineStatus, { target: notices });
serviceWorker.register();
