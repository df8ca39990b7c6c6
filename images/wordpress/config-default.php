<?php
/*
 * wordpress:6.1 image (scripts/build-images): the configuration Debian's
 * /usr/share/wordpress/wp-config.php loads for every host. It reads the environment at run
 * time (like the well-known public image), so no value is ever pasted into PHP source:
 *   WORDPRESS_DB_HOST (host or host:port, default "mysql"), WORDPRESS_DB_USER, _PASSWORD,
 *   _NAME, _CHARSET, _COLLATE, WORDPRESS_TABLE_PREFIX, the eight WORDPRESS_*_KEY / *_SALT,
 *   WORDPRESS_DEBUG, WORDPRESS_CONFIG_EXTRA (PHP code, evaluated last).
 * Offline by default -- a site that phones home hangs without a network and sends traffic off
 * the machine in tests -- each overridable through the environment:
 *   WORDPRESS_HTTP_BLOCK_EXTERNAL (true), WORDPRESS_ACCESSIBLE_HOSTS (none),
 *   WORDPRESS_AUTOMATIC_UPDATER_DISABLED (true), WORDPRESS_AUTO_UPDATE_CORE (false),
 *   WORDPRESS_DISABLE_WP_CRON (true).
 * A variable "X_FILE" names a file holding X's value (Docker/Kubernetes secrets as files).
 */
function minik_env($name, $default) {
    if (($file = getenv($name . '_FILE')) !== false && $file !== '' && is_readable($file)) {
        return rtrim(file_get_contents($file), "\r\n");
    }
    $value = getenv($name);
    return ($value === false || $value === '') ? $default : $value;
}
function minik_env_bool($name, $default) {
    $value = strtolower(trim(minik_env($name, $default ? 'true' : 'false')));
    return in_array($value, array('1', 'true', 'yes', 'on'), true);
}

define('DB_NAME', minik_env('WORDPRESS_DB_NAME', 'wordpress'));
define('DB_USER', minik_env('WORDPRESS_DB_USER', 'example username'));
define('DB_PASSWORD', minik_env('WORDPRESS_DB_PASSWORD', 'example password'));
define('DB_HOST', minik_env('WORDPRESS_DB_HOST', 'mysql'));
define('DB_CHARSET', minik_env('WORDPRESS_DB_CHARSET', 'utf8mb4'));
define('DB_COLLATE', minik_env('WORDPRESS_DB_COLLATE', ''));
$table_prefix = minik_env('WORDPRESS_TABLE_PREFIX', 'wp_');

// Missing keys are filled in by the entrypoint (random per container, so cookies do not carry
// over between replicas: set all eight for a Deployment).
foreach (array('AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY',
               'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT') as $minik_key) {
    define($minik_key, minik_env('WORDPRESS_' . $minik_key, 'unset: see the entrypoint'));
}

define('WP_HTTP_BLOCK_EXTERNAL', minik_env_bool('WORDPRESS_HTTP_BLOCK_EXTERNAL', true));
if (minik_env('WORDPRESS_ACCESSIBLE_HOSTS', '') !== '') {
    define('WP_ACCESSIBLE_HOSTS', minik_env('WORDPRESS_ACCESSIBLE_HOSTS', ''));
}
define('AUTOMATIC_UPDATER_DISABLED', minik_env_bool('WORDPRESS_AUTOMATIC_UPDATER_DISABLED', true));
define('WP_AUTO_UPDATE_CORE', minik_env_bool('WORDPRESS_AUTO_UPDATE_CORE', false));
define('DISABLE_WP_CRON', minik_env_bool('WORDPRESS_DISABLE_WP_CRON', true));
define('WP_DEBUG', minik_env_bool('WORDPRESS_DEBUG', false));

// Themes, plugins and uploads next to the code (Debian's default is /var/lib/wordpress).
define('WP_CONTENT_DIR', '/usr/share/wordpress/wp-content');

if (($minik_extra = minik_env('WORDPRESS_CONFIG_EXTRA', '')) !== '') {
    eval($minik_extra);
}
