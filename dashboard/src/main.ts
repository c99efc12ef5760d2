import { LEGACY_TOKEN_KEY } from './api.js';
import './aegis-app.js';

// Older dashboards kept the token in localStorage; it must not outlive this upgrade.
try {
  localStorage.removeItem(LEGACY_TOKEN_KEY);
  sessionStorage.removeItem(LEGACY_TOKEN_KEY);
} catch { /* storage disabled */ }
