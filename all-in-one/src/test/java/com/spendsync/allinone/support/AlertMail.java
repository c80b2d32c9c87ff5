package com.spendsync.allinone.support;

import com.icegreen.greenmail.util.GreenMail;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The alert emails an SMTP server (GreenMail) received. */
public final class AlertMail {

    private AlertMail() {
    }

    /** The messages whose subject names {@code marker}, once each however many mailboxes received it. */
    public static List<MimeMessage> about(GreenMail smtp, String marker) {
        Map<String, MimeMessage> byMessageId = new LinkedHashMap<>();
        for (MimeMessage message : smtp.getReceivedMessages()) {
            try {
                if (message.getSubject().contains(marker)) {
                    byMessageId.putIfAbsent(message.getMessageID(), message);
                }
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        }
        return List.copyOf(byMessageId.values());
    }
}
